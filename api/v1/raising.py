"""Raising a case through the API: the answers the raise pages ask, checked by the pages' own
forms (escalation.forms.raising) with the pages' queries and messages, every field at
once. The case is then raised by escalation.domain.case_raise, which checks them again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone

from agencies.models import Agency
from escalation.domain import checks
from escalation.errors import InvalidInput
from escalation.forms import raising as rf
from escalation.policy import PolicySpec, RouteSpec
from escalation.queries.policies import adopted_version, first_step_due, policy_spec

Errors = dict[str, list[str]]
UNKNOWN = "unknown:"  # a name that matched nothing: never a choice of a form


def _by_name(agencies: Sequence[Agency], name: str) -> str:
    """The form value of the agency called `name` (its id), or one no form accepts; none
    for no name."""
    if not name.strip():
        return ""
    found = next((a for a in agencies if a.name == name.strip()), None)
    return str(found.pk) if found else f"{UNKNOWN}{name}"


def _checked(form: forms.Form, errors: Errors, *, everything: str = "detail") -> bool:
    """Whether `form` is valid; its messages kept in `errors` by field (the API's fields are
    named as the forms' are), a message of the whole form under `everything`."""
    if form.is_valid():
        return True
    for field, messages in form.errors.items():
        name = everything if field == NON_FIELD_ERRORS else field
        errors.setdefault(name, []).extend(str(m) for m in messages)
    return False


def _not_for(spec: PolicySpec, route: str) -> str | None:
    """A route that names a matter the policy says is not for this procedure: where to go."""
    slug = route.removeprefix(rf.NOT_FOR_PREFIX)
    matter = next((m for m in spec.not_for_this_procedure if m.slug == slug), None)
    if matter is None:
        return None
    return f"Not for this procedure: {matter.name}. {matter.guidance.strip()}"


def _route_details(route: RouteSpec, given: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """The answers to the route's questions, as its question pages check them (the answer
    that means the route cannot be used refuses, with the policy's words); only those given."""
    known = {q.slug for q in route.questions}
    for slug in given:
        if slug not in known:
            try:
                checks.route_answers(route, {slug: ""})
            except InvalidInput as error:
                errors.setdefault(f"route_details.{slug}", []).append(error.message)
    details: dict[str, Any] = {}
    for question in route.questions:
        value = given.get(question.slug)
        if question.kind == "multiple" and isinstance(value, str):
            value = [value]
        form = rf.RouteQuestionForm({"answer": value}, question=question)
        field = f"route_details.{question.slug}"
        if not form.is_valid():
            errors[field] = [str(m) for messages in form.errors.values() for m in messages]
            continue
        answer = form.cleaned_data["answer"]
        option = rf.refusal(question, answer)
        if option is not None:
            errors[field] = [option.refuses.strip()]
        elif answer not in (None, "", []):
            details[question.slug] = answer
    return details


def _due_at(
    due: dt.datetime | None, *, route: RouteSpec, agency: Agency, risk: bool, errors: Errors
) -> dt.datetime | None:
    if due is None:
        return None
    now = timezone.now()
    policy = first_step_due(route, agency.partnership, risk=risk, now=now).moment
    try:
        problem = checks.earlier_due_problem(due, now=now, policy_due=policy)
    except OverflowError:  # a moment too far off to compare
        problem = "Enter a real date"
    if problem is not None:
        errors["due_at"] = [problem]
    return due


def raise_arguments(attrs: dict[str, Any], *, agencies: Sequence[Agency]) -> tuple[Any, Errors]:
    """case_raise's arguments (but `by`) from the API's answers, and the refusals by field.
    `agencies`: those the person may raise for (rf.agencies_user_may_raise_for)."""
    errors: Errors = {}
    # The agency raising for: the person's only one, or the one named.
    named = attrs["challenging_agency"]
    only = len(agencies) == 1 and not named
    value = str(agencies[0].pk) if only else _by_name(agencies, named)
    form: forms.Form = rf.RaiseForForm({"agency": value}, agencies=agencies)
    if not form.is_valid():
        messages = [str(m) for found in form.errors.values() for m in found]
        return {}, {"challenging_agency": messages}
    challenging = next(a for a in agencies if str(a.pk) == form.cleaned_data["agency"])
    version = adopted_version(partnership=challenging.partnership)  # none: InvalidTransition
    spec = policy_spec(version)
    if attrs["policy"] and attrs["policy"] != version.policy.slug:
        errors["policy"] = [
            f"{challenging.partnership.name} has adopted {spec.name} "
            f"('{version.policy.slug}'): raise under it, or give no policy"
        ]

    route = spec.standard_route
    if attrs["route"]:
        elsewhere = _not_for(spec, attrs["route"])
        form = rf.RouteForm({"route": attrs["route"]}, spec=spec)
        if elsewhere is not None:
            errors["route"] = [elsewhere]
        elif _checked(form, errors):
            route = spec.route(form.cleaned_data["route"])

    # The agency disagreed with: another agency of the partnership, by name. One of another
    # partnership is refused as a name that matches nothing.
    others = list(rf.agencies_to_disagree_with(agency=challenging))
    form = rf.RespondingAgencyForm(
        {"responding_agency": _by_name(others, attrs["responding_agency"])}, agencies=others
    )
    responding = None
    if _checked(form, errors):
        responding = next(a for a in others if str(a.pk) == form.cleaned_data["responding_agency"])
    person = attrs["responding_person"]
    form = rf.ProfessionalForm(
        {
            "responding_professional": attrs["responding_professional"],
            "responding_person": "" if person is None else str(person),
        },
        agency=responding or challenging,
    )
    if not _checked(form, errors) and responding is None:
        errors.pop("responding_person", None)  # whose people they are is not known yet
    professional = form.cleaned_data if form.is_valid() else {}

    subject = rf.SubjectForm(
        {
            "subject_kind": attrs["subject_kind"],
            "subject_initials": attrs["subject_initials"],
            "subject_age_band": attrs["subject_age_band"],
        },
        spec=spec,
    )
    _checked(subject, errors, everything="subject_age_band")
    _checked(
        rf.RecordNumbersForm(
            {
                "challenging_record_number": attrs["challenging_record_number"],
                "responding_record_number": attrs["responding_record_number"],
            },
            agency=challenging,
            responding=responding,
        ),
        errors,
    )
    _checked(rf.CategoryForm({"category": attrs["category"]}, spec=spec), errors)
    details = _route_details(route, attrs["route_details"], errors)
    kind = subject.cleaned_data.get("subject_kind") if subject.is_valid() else None
    _checked(
        rf.DisagreementForm(
            {"disagreement": attrs["disagreement"], "impact": attrs["impact"]},
            subject=rf.subject_words(kind=kind, audience=spec.audience),
        ),
        errors,
    )
    risk = attrs["risk_of_significant_harm"]
    due = _due_at(attrs["due_at"], route=route, agency=challenging, risk=risk, errors=errors)
    if errors:
        return {}, errors
    return {
        "challenging_agency": challenging,
        "responding_agency": responding,
        "responding_professional": attrs["responding_professional"],
        "responding_person": professional.get("responding_person"),
        "subject_kind": attrs["subject_kind"],
        "subject_initials": attrs["subject_initials"],
        "subject_age_band": attrs["subject_age_band"],
        "challenging_record_number": attrs["challenging_record_number"],
        "responding_record_number": attrs["responding_record_number"],
        "category": attrs["category"],
        "route": route.slug,
        "route_details": details,
        "disagreement": attrs["disagreement"],
        "impact": attrs["impact"],
        "risk_of_significant_harm": risk,
        "due_at": due,
    }, errors
