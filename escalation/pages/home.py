"""Pages. Thin: read through selectors (another agency's case is a 404), call services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from escalation.pages.paging import pagination
from escalation.queries.cases import case_work_queue


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The person's cases: open ones due soonest first, 50 a page, then the latest closed."""
    page, closed_cases = case_work_queue(user=request.user, page=request.GET.get("page"))
    return render(
        request,
        "escalation/home.html",
        {
            "open_cases": page.object_list,
            "closed_cases": closed_cases,
            **pagination(page, request.GET),
        },
    )
