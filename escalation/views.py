"""Pages. Thin: read through selectors (another agency's case is a 404), call services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from escalation.models import Case
from escalation.selectors import case_get_for_user, case_steps, case_work_queue
from escalation.services import case_log_read


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The person's cases: open ones due soonest first, then the latest closed ones."""
    open_cases, closed_cases = case_work_queue(user=request.user)
    return render(
        request,
        "escalation/home.html",
        {"open_cases": open_cases, "closed_cases": closed_cases[:20]},
    )


@login_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        case = case_get_for_user(user=request.user, reference=reference)
    except Case.DoesNotExist:
        raise Http404("No such case") from None
    case_log_read(case=case, user=request.user, what="case page")
    return render(
        request, "escalation/case_detail.html", {"case": case, "steps": case_steps(case=case)}
    )
