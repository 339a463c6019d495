"""Raising a challenge: the transition that makes a case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from agencies.enums import AgencyKind
from agencies.models import Agency, Membership, Partnership
from escalation.domain import checks
from escalation.domain.base import stamp, start_step, step_actors
from escalation.enums import SubjectKind
from escalation.errors import InvalidInput, NotAllowed
from escalation.models import Case, CaseReferenceCounter
from escalation.policy import PolicySpec, RouteSpec
from escalation.queries.policies import adopted_version, policy_spec
from notifications.enums import Event
from notifications.services import outbox_add

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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


def _check_parties(challenging: Agency, responding: Agency, person: User | None) -> None:
    """The agency disagreed with is another agency of the partnership (never its board), and
    the professional named, if any, works there."""
    if responding.partnership_id != challenging.partnership_id:
        raise InvalidInput(
            "The agency you disagree with must be in your partnership", field="responding_agency"
        )
    if responding.pk == challenging.pk:
        raise InvalidInput(
            "Choose another agency: this procedure is for disagreements between agencies",
            field="responding_agency",
        )
    if responding.kind == AgencyKind.PARTNERSHIP:
        raise InvalidInput(
            "Choose the agency whose decision you disagree with: the partnership's board "
            "is where a disagreement goes last, not a party to it",
            field="responding_agency",
        )
    if (
        person is not None
        and not Membership.objects.filter(
            user=person, agency=responding, user__is_active=True
        ).exists()
    ):
        raise InvalidInput(
            f"The professional you chose does not work for {responding.name}",
            field="responding_person",
        )


def _checked_answers(
    spec: PolicySpec,
    route: RouteSpec,
    *,
    subject_kind: str,
    subject_initials: str,
    subject_age_band: str,
    route_details: Mapping[str, Any],
    responding_professional: str,
    challenging_record_number: str,
    responding_record_number: str,
    disagreement: str,
    impact: str,
) -> dict[str, Any]:
    """The raise journey's answers, checked by the rules its pages show (domain.checks), as
    the case's fields; the first broken rule refuses with the page's message."""
    if subject_kind not in checks.kinds_for(spec):
        labels = [SubjectKind(k).label.lower() for k in checks.kinds_for(spec)]
        allowed = " or ".join(f"{'an' if w[0] in 'aeiou' else 'a'} {w}" for w in labels)
        raise InvalidInput(
            f"A case under {spec.name} is about {allowed}: choose who the disagreement is about",
            field="subject_kind",
        )
    initials = checks.normal_initials(subject_initials)
    checks.refuse(checks.initials_problem(initials), field="subject_initials")
    kinds = checks.kinds_for(spec)
    checks.refuse(
        checks.age_band_problem(subject_kind, subject_age_band, kinds=kinds),
        field="subject_age_band",
    )
    details = checks.route_answers(route, route_details)
    numbers = {}
    for name, value, limit in (
        ("challenging_record_number", challenging_record_number, checks.OUR_RECORD_NUMBER),
        ("responding_record_number", responding_record_number, checks.THEIR_RECORD_NUMBER),
    ):
        numbers[name] = (value or "").strip()
        checks.refuse(limit.problem(numbers[name]), field=name)
    return {
        "subject_kind": subject_kind,
        "subject_initials": initials,
        "subject_age_band": subject_age_band,
        "route_details": details,
        "responding_professional": checks.required_text(
            responding_professional,
            field="responding_professional",
            rule="responding_professional",
            limit=checks.PROFESSIONAL,
        ),
        **numbers,
        "disagreement": checks.required_text(
            disagreement, field="disagreement", rule="disagreement", limit=checks.DISAGREEMENT
        ),
        "impact": checks.required_text(impact, field="impact", rule="impact", limit=checks.IMPACT),
    }


# --- the transitions ---------------------------------------------------------------------


@transaction.atomic
def case_raise(
    *,
    by: User,
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
    responding_person: User | None = None,
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
    _check_parties(challenging_agency, responding_agency, responding_person)
    version = adopted_version(partnership=partnership)
    spec = policy_spec(version)
    try:
        route_spec = spec.route(route) if route else spec.standard_route
    except KeyError:
        raise InvalidInput(f"{spec.name} has no route '{route}'", field="route") from None
    if category not in {c.slug for c in spec.categories}:
        raise InvalidInput("Choose what the disagreement is about", field="category")
    checked = _checked_answers(
        spec,
        route_spec,
        subject_kind=subject_kind,
        subject_initials=subject_initials,
        subject_age_band=subject_age_band,
        route_details=route_details or {},
        responding_professional=responding_professional,
        challenging_record_number=challenging_record_number,
        responding_record_number=responding_record_number,
        disagreement=disagreement,
        impact=impact,
    )

    now = timezone.now()
    case = Case(
        partnership=partnership,
        reference=_next_reference(partnership, now),
        policy_version=version,
        route=route_spec.slug,
        category=category,
        challenging_agency=challenging_agency,
        raised_by=by,
        responding_agency=responding_agency,
        responding_person=responding_person,
        **checked,
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
