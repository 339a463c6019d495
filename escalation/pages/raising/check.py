"""Check your answers, raise the case, and the confirmation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from config.http import AuthenticatedHttpRequest
from escalation.domain import case_log_read, case_raise
from escalation.enums import Side
from escalation.errors import CaseError, InvalidInput, NotAllowed
from escalation.forms import raising as rf
from escalation.models import Case
from escalation.pages.raising.drafts import Raising, draft_view
from escalation.pages.raising.journey import PAGES_BY_KEY, back_url, journey
from escalation.pages.raising.page import QuestionPage
from escalation.pages.raising.pages import due_at
from escalation.pages.raising.special import route_question, route_question_page
from escalation.pages.raising.views import render_page
from escalation.queries.cases import case_get_for_user, case_steps
from escalation.queries.policies import case_route

SIDE_WORDS: dict[str, str] = {
    Side.CHALLENGING: "Your agency",
    Side.RESPONDING: "The agency you disagree with",
    Side.PARTNERSHIP: "The partnership",
}

# Where case_raise's InvalidInput(field=...) is shown: (page key, form field).
FIELD_PAGES = {
    "route": ("route", "route"),
    "responding_agency": ("agency", "responding_agency"),
    "responding_professional": ("professional", "responding_professional"),
    "responding_person": ("professional", "responding_person"),
    "subject_kind": ("subject", "subject_kind"),
    "subject_initials": ("subject", "subject_initials"),
    "subject_age_band": ("subject", "subject_age_band"),
    "category": ("category", "category"),
    "disagreement": ("disagreement", "disagreement"),
    "impact": ("disagreement", "impact"),
    "due_at": ("due", "due_day"),
}


class CheckErrors(forms.Form):
    """Carries a refusal that belongs to no question page, for the error summary."""


def _check_context(r: Raising) -> dict[str, Any]:
    sections = [(page.url(r) + "?from=check", page.rows(r)) for page in journey(r) if page.rows(r)]
    return {
        "raising": r,
        "spec": r.spec,
        "route": r.route,
        "sections": sections,
        "back_url": back_url(r, None),
    }


def _error_on_page(
    request: AuthenticatedHttpRequest, r: Raising, error: InvalidInput
) -> HttpResponse | None:
    """The page at fault, bound to the kept answers, with the service's message on its field."""
    question = route_question(r, error.field)
    target: QuestionPage | None
    if question is not None:
        target, field = route_question_page(question), "answer"
    else:
        key, field = FIELD_PAGES.get(error.field, ("", ""))
        target = PAGES_BY_KEY.get(key)
    if target is None or not target.applies(r):
        return None
    form = target.form(r, target.initial(r))
    if form.is_valid():  # else the page's own checks say it, in the page's words
        form.add_error(field if field in form.fields else None, error.message)
    return render_page(request, r, target, form)


def _raise_kwargs(r: Raising) -> dict[str, Any]:
    a = r.answers
    responding = r.responding_agency()
    if responding is None:
        raise InvalidInput("Select the agency you disagree with", field="responding_agency")
    person = r.responding_person()
    if a.get("responding_person") and person is None:
        raise InvalidInput(
            "That person no longer works in the agency: choose again", field="responding_person"
        )
    route = r.route
    details = {
        q.slug: r.details[q.slug]
        for q in route.questions
        if r.details.get(q.slug) not in (None, "", [])
    }
    return {
        "by": r.request.user,
        "challenging_agency": r.agency,
        "responding_agency": responding,
        "responding_professional": a["responding_professional"],
        "responding_person": person,
        "subject_kind": a["subject_kind"],
        "subject_initials": a["subject_initials"],
        "subject_age_band": a["subject_age_band"],
        "challenging_record_number": a.get("challenging_record_number", ""),
        "responding_record_number": a.get("responding_record_number", ""),
        "category": a["category"],
        "route": route.slug,
        "route_details": details,
        "disagreement": a["disagreement"],
        "impact": a["impact"],
        "risk_of_significant_harm": bool(a["risk"]),
        "due_at": due_at(r),
    }


@draft_view()
@require_http_methods(["GET", "POST"])
def check(request: AuthenticatedHttpRequest, r: Raising) -> HttpResponse:
    """Check your answers, then raise the challenge (escalation.domain.case_raise)."""
    missing = next((p for p in journey(r) if not p.answered(r)), None)
    if missing is not None:
        return redirect(missing.url(r))
    for q in r.route.questions:
        option = rf.refusal(q, r.details.get(q.slug))
        if option is not None:
            return redirect(r.url("raise_refused", q.slug, option.slug))
    errors = CheckErrors(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            case = case_raise(**_raise_kwargs(r))
        except NotAllowed as error:
            raise PermissionDenied(error.message) from None
        except InvalidInput as error:
            shown = _error_on_page(request, r, error)
            if shown is not None:
                return shown
            errors.is_valid()
            errors.add_error(None, error.message)
        except CaseError as error:
            errors.is_valid()
            errors.add_error(None, error.message)
        else:
            r.draft["reference"] = case.reference
            r.draft["answers"] = {}  # the case keeps them now; the session need not
            r.saved()
            return redirect(r.url("raise_done"))
    return render(request, "escalation/raise/check.html", {**_check_context(r), "form": errors})


@draft_view(submitted=True)
@require_GET
def done(request: AuthenticatedHttpRequest, r: Raising) -> HttpResponse:
    """Confirmation: the reference, the first due moment and its explanation, what is next."""
    try:
        case = case_get_for_user(user=request.user, reference=r.draft["reference"])
    except Case.DoesNotExist:
        raise Http404("No such case") from None
    case_log_read(case=case, user=request.user, what="raise confirmation")
    steps = list(case_steps(case=case))
    route = case_route(case)
    return render(
        request,
        "escalation/raise/done.html",
        {
            "case": case,
            "first": case.current_step,
            "targets": [s for s in steps if s.is_target],
            "route": route,
            "ladder": [
                (step, [(SIDE_WORDS[side], title) for side, title in step.titles.items()])
                for step in route.ladder
            ],
        },
    )
