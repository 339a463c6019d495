"""Raising a challenge: the transition that makes a case."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.enums import AgencyKind
from agencies.models import Agency, Membership, Partnership
from escalation.domain.base import field_limit, require_text, stamp, start_step, step_actors, within
from escalation.enums import AgeBand, SubjectKind
from escalation.errors import InvalidInput, NotAllowed
from escalation.models import Case, CaseReferenceCounter
from escalation.policy import RouteSpec
from escalation.queries.policies import adopted_version, policy_spec
from notifications.enums import Event
from notifications.services import outbox_add

INITIALS = re.compile(r"^[A-Za-z]{1,4}$")


def _next_reference(partnership: Partnership, at: dt.datetime) -> str:
    """<CODE>-<YEAR>-<NNNN>, numbered per partnership and year under a row lock."""
    year = timezone.localtime(at).year
    CaseReferenceCounter.objects.get_or_create(partnership=partnership, year=year)
    counter = CaseReferenceCounter.objects.select_for_update().get(
        partnership=partnership, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{partnership.code.upper()}-{year}-{counter.last_number:04d}"


def _check_route_details(route: RouteSpec, details: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    known = {q.slug for q in route.questions}
    for slug in details:
        if slug not in known:
            raise InvalidInput(f"The route '{route.name}' does not ask '{slug}'", field=slug)
    for question in route.questions:
        value = details.get(question.slug)
        if value in (None, "", [], ()):
            if question.required:
                raise InvalidInput(f"Answer: {question.label}", field=question.slug)
            continue
        options = {o.slug for o in question.options}
        if question.kind == "choice" and value not in options:
            raise InvalidInput(
                f"Choose one of the answers to: {question.label}", field=question.slug
            )
        if question.kind == "multiple":
            values: list[Any] = [value] if isinstance(value, str) else list(value or ())
            if not values or any(v not in options for v in values):
                raise InvalidInput(f"Choose answers to: {question.label}", field=question.slug)
            value = values
        if question.kind == "text":
            value = str(value).strip()
        clean[question.slug] = value
    return clean


# --- the transitions ---------------------------------------------------------------------


@transaction.atomic
def case_raise(
    *,
    by: Any,
    challenging_agency: Agency,
    responding_agency: Agency,
    responding_professional: str,
    subject_kind: str,
    subject_initials: str,
    subject_age_band: str,
    category: str,
    disagreement: str,
    impact: str,
    risk_of_significant_harm: bool = False,
    route: str | None = None,
    route_details: Mapping[str, Any] | None = None,
    challenging_record_number: str = "",
    responding_record_number: str = "",
    responding_person: Any = None,
    due_at: dt.datetime | None = None,
) -> Case:
    """Raise a challenge: a new open case at step 1 of the partnership's adopted policy.

    Side effects, in order: checks permission and input; takes the next reference
    (locks the partnership row); writes the case, its step 0 target (where the policy has
    one) and step 1, both clocks starting now; outbox: case.raised to the responding
    professional and step 1's actors.
    """
    if not by.has_perm("escalation.raise_case", challenging_agency):
        raise NotAllowed(f"You cannot raise a challenge for {challenging_agency.name}.")
    partnership = challenging_agency.partnership
    if responding_agency.partnership_id != partnership.pk:
        raise InvalidInput(
            "The agency you disagree with must be in your partnership", field="responding_agency"
        )
    if responding_agency.pk == challenging_agency.pk:
        raise InvalidInput(
            "Choose another agency: this procedure is for disagreements between agencies",
            field="responding_agency",
        )
    if responding_agency.kind == AgencyKind.PARTNERSHIP:
        raise InvalidInput(
            "Choose the agency whose decision you disagree with: the partnership's board "
            "is where a disagreement goes last, not a party to it",
            field="responding_agency",
        )
    if (
        responding_person is not None
        and not Membership.objects.filter(
            user=responding_person, agency=responding_agency, user__is_active=True
        ).exists()
    ):
        raise InvalidInput(
            f"The professional you chose does not work for {responding_agency.name}",
            field="responding_person",
        )
    version = adopted_version(partnership=partnership)
    spec = policy_spec(version)
    try:
        route_spec = spec.route(route) if route else spec.standard_route
    except KeyError:
        raise InvalidInput(f"{spec.name} has no route '{route}'", field="route") from None
    if category not in {c.slug for c in spec.categories}:
        raise InvalidInput("Choose what the disagreement is about", field="category")
    allowed_kinds = (
        {SubjectKind.ADULT}
        if spec.audience == "adults"
        else {SubjectKind.CHILD, SubjectKind.YOUNG_PERSON}
    )
    if subject_kind not in allowed_kinds:
        raise InvalidInput(
            f"{spec.name} is for {spec.audience}: choose who the disagreement is about",
            field="subject_kind",
        )
    if not INITIALS.match(subject_initials or ""):
        raise InvalidInput("Enter the person's initials: 1 to 4 letters", field="subject_initials")
    if subject_age_band not in AgeBand.values:
        raise InvalidInput("Choose the person's age band", field="subject_age_band")
    details = _check_route_details(route_spec, route_details or {})
    professional = require_text(
        responding_professional,
        field="responding_professional",
        what="the name and role of the professional you disagree with",
        limit=field_limit(Case, "responding_professional"),
    )
    record_numbers = {
        name: within(
            value.strip(),
            field=name,
            what=f"the {side} agency's record number",
            limit=field_limit(Case, name),
        )
        for name, value, side in (
            ("challenging_record_number", challenging_record_number, "challenging"),
            ("responding_record_number", responding_record_number, "responding"),
        )
    }
    text = require_text(disagreement, field="disagreement", what="the disagreement in your words")
    impact_text = require_text(impact, field="impact", what="the impact on the child or adult")

    now = timezone.now()
    case = Case(
        partnership=partnership,
        reference=_next_reference(partnership, now),
        policy_version=version,
        route=route_spec.slug,
        category=category,
        route_details=details,
        challenging_agency=challenging_agency,
        raised_by=by,
        responding_agency=responding_agency,
        responding_professional=professional,
        responding_person=responding_person,
        subject_kind=subject_kind,
        subject_initials=subject_initials.upper(),
        subject_age_band=subject_age_band,
        **record_numbers,
        disagreement=text,
        impact=impact_text,
        risk_of_significant_harm=risk_of_significant_harm,
        raised_at=now,
    )
    # Saved once without a history row (its steps need its id), then once with it, so the
    # history holds one "raised" row that already names the current step.
    case.skip_history_when_saving = True  # type: ignore[attr-defined]  # django-simple-history
    case.save()
    del case.skip_history_when_saving  # type: ignore[attr-defined]
    if route_spec.target is not None:
        start_step(case, route_spec.target, at=now, by=by)
    first = start_step(case, route_spec.ladder[0], at=now, due_at=due_at, by=by)
    case.current_step = first
    stamp(case, by=by, reason="raised")
    case.save(update_fields=["current_step"])
    outbox_add(
        event=Event.CASE_RAISED,
        case=case,
        step=first,
        recipients=[responding_person, *step_actors(case, first)],
    )
    return case
