"""The question pages every raising may ask, configured (the route's own questions are in
escalation.pages.raising.special). Their order is the journey's (escalation.pages.raising.journey).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils import timezone

from agencies.models import Agency
from escalation.deadlines import Due
from escalation.domain import checks
from escalation.enums import AgeBand, SubjectKind
from escalation.forms import raising as rf
from escalation.pages.raising.drafts import Raising
from escalation.pages.raising.page import Answer, QuestionPage, Rows
from escalation.queries.policies import first_step_due


def due_at(r: Raising) -> dt.datetime | None:
    """The earlier due moment the raiser set for the first step, if any."""
    text = r.answers.get("due_at")
    return dt.datetime.fromisoformat(text) if text else None


def policy_due(r: Raising, now: dt.datetime) -> Due:
    """When the first step would fall due by the policy's rule, were the case raised now."""
    return first_step_due(r.route, r.agency.partnership, risk=bool(r.answers.get("risk")), now=now)


def _shown(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%H:%M} {local:%a} {local.day} {local:%b %Y}"


# --- which agency you raise for (its answer is the draft's agency) -------------------------


class ForPage(QuestionPage):
    """Which of your agencies you raise for: kept as the draft's agency, not as an answer."""

    def answered(self, r: Raising) -> bool:
        return True

    def initial(self, r: Raising) -> dict[str, Any]:
        return {"agency": str(r.agency.pk)}

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        agency = Agency.objects.select_related("partnership").get(pk=data["agency"])
        if agency.partnership_id != r.agency.partnership_id:
            r.draft["answers"] = {}  # another partnership: another policy, other agencies
        elif r.answers.get("responding_agency") == agency.pk:
            for key in ("responding_agency", "responding_professional", "responding_person"):
                r.answers.pop(key, None)
        r.draft["agency"] = agency.pk
        return None


FOR = ForPage(
    key="for",
    form_class=rf.RaiseForForm,
    answers=(Answer("agency"),),
    choice_field="agency",
    options=lambda r: {"agencies": rf.agencies_user_may_raise_for(user=r.request.user)},
    applies=lambda r: bool(r.draft.get("many")),
    rows=lambda r: [("Raising for", r.agency.name)],
)


# --- the route, and the agency and professional you disagree with -------------------------


def _route_elsewhere(r: Raising, data: dict[str, Any]) -> str | None:
    """A matter the policy says is not for this procedure: say where to go instead."""
    value = data["route"]
    if value.startswith(rf.NOT_FOR_PREFIX):
        return r.url("raise_not_for", value.removeprefix(rf.NOT_FOR_PREFIX))
    return None


ROUTE = QuestionPage(
    key="route",
    form_class=rf.RouteForm,
    # Another route asks other questions.
    answers=(Answer("route", default=None, clears=("details",)),),
    choice_field="route",
    options=lambda r: {"spec": r.spec},
    applies=lambda r: len(r.spec.routes) > 1 or bool(r.spec.not_for_this_procedure),
    elsewhere=_route_elsewhere,
    rows=lambda r: [("Route", r.route.name)],
)

RESPONDING_AGENCY = QuestionPage(
    key="agency",
    form_class=rf.RespondingAgencyForm,
    answers=(
        Answer(
            "responding_agency",
            keep=int,
            show=lambda pk: str(pk) if pk else None,
            default=None,
            # The professional and person were of the agency disagreed with before.
            clears=("responding_person", "responding_professional"),
        ),
    ),
    choice_field="responding_agency",
    options=lambda r: {"agencies": rf.agencies_to_disagree_with(agency=r.agency)},
    rows=lambda r: [
        ("Agency you disagree with", agency.name if (agency := r.responding_agency()) else "")
    ],
)


def _agency_disagreed_with(r: Raising) -> dict[str, Any]:
    agency = r.responding_agency()
    if agency is None:
        raise Http404("Choose the agency first")
    return {"agency": agency}


def _professional_rows(r: Raising) -> Rows:
    person = r.responding_person()
    return [
        ("Professional you disagree with", r.answers.get("responding_professional", "")),
        (
            "Their Resolve account",
            (person.get_full_name() or person.username) if person else "None chosen",
        ),
    ]


PROFESSIONAL = QuestionPage(
    key="professional",
    form_class=rf.ProfessionalForm,
    answers=(
        Answer("responding_professional"),
        Answer(
            "responding_person",
            keep=lambda person: person.pk if person else None,
            show=lambda pk: pk or "",
        ),
    ),
    template="escalation/raise/professional.html",
    options=_agency_disagreed_with,
    context=lambda r, form: {"responding_agency": r.responding_agency()},
    missing=lambda r: None if r.responding_agency() else RESPONDING_AGENCY.url(r),
    rows=_professional_rows,
)


# --- who it is about, and each agency's record number -------------------------------------


def _only_kind(r: Raising) -> str | None:
    kinds = checks.kinds_for(r.spec)
    return kinds[0] if len(kinds) == 1 else None


def _subject_rows(r: Raising) -> Rows:
    kind = r.answers.get("subject_kind", "")
    band = r.answers.get("subject_age_band", "")
    return [
        (
            "About",
            f"{SubjectKind(kind).label if kind else ''}, initials "
            f"{r.answers.get('subject_initials', '')}, "
            f"aged {AgeBand(band).label.lower() if band else ''}",
        )
    ]


SUBJECT = QuestionPage(
    key="subject",
    form_class=rf.SubjectForm,
    # The initials last: the page counts as answered once they are kept.
    answers=(
        Answer("subject_initials"),
        Answer("subject_kind", default=_only_kind),
        Answer("subject_age_band", default=None),
    ),
    template="escalation/raise/subject.html",
    options=lambda r: {"spec": r.spec},
    context=lambda r, form: {
        "kind_items": form.items("subject_kind"),
        "band_items": form.items("subject_age_band"),
    },
    rows=_subject_rows,
)


def _records_rows(r: Raising) -> Rows:
    theirs = r.responding_agency()
    return [
        (
            f"{r.agency.name} record number",
            r.answers.get("challenging_record_number") or "Not given",
        ),
        (
            f"{theirs.name if theirs else 'Other agency'} record number",
            r.answers.get("responding_record_number") or "Not given",
        ),
    ]


RECORDS = QuestionPage(
    key="records",
    form_class=rf.RecordNumbersForm,
    answers=(Answer("challenging_record_number"), Answer("responding_record_number")),
    template="escalation/raise/records.html",
    options=lambda r: {"agency": r.agency, "responding": r.responding_agency()},
    rows=_records_rows,
)


# --- the category, the disagreement, the risk and the first due moment ---------------------


def _category_name(r: Raising) -> str:
    try:
        return r.spec.category(r.answers.get("category", "")).name
    except KeyError:
        return ""


CATEGORY = QuestionPage(
    key="category",
    form_class=rf.CategoryForm,
    answers=(Answer("category", default=None),),
    choice_field="category",
    options=lambda r: {"spec": r.spec},
    rows=lambda r: [("What it is about", _category_name(r))],
)

DISAGREEMENT = QuestionPage(
    key="disagreement",
    form_class=rf.DisagreementForm,
    answers=(Answer("disagreement"), Answer("impact")),
    template="escalation/raise/disagreement.html",
    options=lambda r: {"subject": r.subject},
    rows=lambda r: [
        ("The disagreement", r.answers.get("disagreement", "")),
        (f"Impact on {r.subject}", r.answers.get("impact", "")),
    ],
)

RISK = QuestionPage(
    key="risk",
    form_class=rf.RiskForm,
    answers=(
        Answer(
            "risk",
            keep=lambda value: value == "yes",
            show=lambda risk: None if risk is None else ("yes" if risk else "no"),
            default=None,
            clears=("due_at",),  # the policy's due moment may have changed with it
        ),
    ),
    template="escalation/raise/risk.html",
    choice_field="risk",
    options=lambda r: {"subject": r.subject},
    context=lambda r, form: {"changes": rf.risk_changes(r.route), "route": r.route},
    rows=lambda r: [("Risk of significant harm", "Yes" if r.answers.get("risk") else "No")],
)


class DuePage(QuestionPage):
    """An earlier due moment for the first step: one answer, asked as a date and a time."""

    def initial(self, r: Raising) -> dict[str, Any]:
        due = due_at(r)
        if due is None:
            return {"due_day": "", "due_month": "", "due_year": "", "due_time": ""}
        local = timezone.localtime(due)
        return {
            "due_day": str(local.day),
            "due_month": str(local.month),
            "due_year": str(local.year),
            "due_time": f"{local:%H:%M}",
        }


def _due_options(r: Raising) -> dict[str, Any]:
    now = timezone.now()
    return {"now": now, "policy_due": policy_due(r, now).moment}


def _due_rows(r: Raising) -> Rows:
    due = due_at(r)
    if due is None:
        return [("First step due", "By the policy's timescale")]
    return [("First step due", f"Earlier: {_shown(due)}")]


DUE = DuePage(
    key="due",
    form_class=rf.DueForm,
    answers=(Answer("due_at", keep=lambda due: due.isoformat() if due else ""),),
    template="escalation/raise/due.html",
    options=_due_options,
    context=lambda r, form: {
        "policy_due": policy_due(r, timezone.now()),
        "first_step": r.route.ladder[0],
    },
    rows=_due_rows,
)

# The pages before the route's own questions, and after them.
BEFORE_QUESTIONS: tuple[QuestionPage, ...] = (
    FOR,
    ROUTE,
    RESPONDING_AGENCY,
    PROFESSIONAL,
    SUBJECT,
    RECORDS,
    CATEGORY,
)
AFTER_QUESTIONS: tuple[QuestionPage, ...] = (DISAGREEMENT, RISK, DUE)
