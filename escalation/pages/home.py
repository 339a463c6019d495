"""Pages. Thin: read through selectors (another agency's case is a 404), call services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from escalation.queries.cases import case_work_queue


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The person's cases: open ones due soonest first, then the latest closed ones."""
    open_cases, closed_cases = case_work_queue(user=request.user)
    return render(
        request,
        "escalation/home.html",
        {"open_cases": open_cases, "closed_cases": closed_cases[:20]},
    )
