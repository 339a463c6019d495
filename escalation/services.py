"""The transitions of a case: every change to a case goes through a function here.

Each transition, in order: locks the case row, refuses a stale form (version), checks the
actor's permission, checks the case's state, writes the change (history by
django-simple-history), computes the next due moment, and writes the notifications it causes
to the outbox in the same transaction. A refusal raises a CaseError and saves nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.enums import AgencyKind, Role
from agencies.models import Agency, Membership, Partnership
from agencies.selectors import partnership_calendar, people_in_role
from escalation.deadlines import compute_due, working_days_between
from escalation.enums import (
    AgeBand,
    CaseStatus,
    DueSetBy,
    PolicyVersionStatus,
    Side,
    StepOutcome,
    SubjectKind,
)
from escalation.errors import CaseError, InvalidInput, InvalidTransition, NotAllowed, StaleCase
from escalation.models import (
    Case,
    CaseAccess,
    CaseReferenceCounter,
    CaseStep,
    Learning,
    PolicyVersion,
)
from escalation.policy import PolicySpec, RouteSpec, StepSpec, policy_from_document, record_fields
from notifications.services import outbox_add, outbox_cancel_for_step

INITIALS = re.compile(r"^[A-Za-z]{1,4}$")

_spec_cache: dict[tuple[int, int, dt.datetime | None], PolicySpec] = {}


def policy_spec(version: PolicyVersion) -> PolicySpec:
    """The typed policy of a version. Published versions never change, so they are cached
    for the process, keyed by id, version number and publication moment together: a row
    deleted and its id reused (a test database, a restored backup) is never served stale."""
    if version.status != PolicyVersionStatus.PUBLISHED:
        return policy_from_document(version.document)
    key = (version.pk, version.number, version.published_at)
    spec = _spec_cache.get(key)
    if spec is None:
        spec = _spec_cache[key] = policy_from_document(version.document)
    return spec


def case_route(case: Case) -> RouteSpec:
    return policy_spec(case.policy_version).route(case.route)


def adopted_version(*, partnership: Partnership) -> PolicyVersion:
    """The newest published version of the partnership's adopted policy."""
    policy = partnership.adopted_policy
    version = (
        policy.versions.filter(status=PolicyVersionStatus.PUBLISHED).order_by("-number").first()
        if policy
        else None
    )
    if version is None:
        raise InvalidTransition(
            f"{partnership.name} has not adopted a published policy yet: "
            "ask your partnership administrator."
        )
    return version


# --- helpers shared by the transitions -------------------------------------------------


def _lock(case: Case, expected_version: int) -> Case:
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("partnership", "policy_version", "current_step")
        .get(pk=case.pk)
    )
    if locked.version != expected_version:
        raise StaleCase(locked.reference)
    return locked


def _require(by: Any, perm: str, case: Case, doing: str) -> None:
    if not by.has_perm(perm, case):
        raise NotAllowed(f"You cannot {doing} case {case.reference} now.")


def _require_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise InvalidTransition(
            f"Case {case.reference} is {case.get_status_display().lower()}: nothing more can change."
        )


def _require_text(value: str, *, field: str, what: str, limit: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"Enter {what}", field=field)
    return _within(text, field=field, what=what, limit=limit)


def _within(text: str, *, field: str, what: str, limit: int | None) -> str:
    """The text, or InvalidInput when it is longer than `limit` characters."""
    if limit is not None and len(text) > limit:
        raise InvalidInput(
            f"{what[0].upper()}{what[1:]} must be {limit} characters or fewer", field=field
        )
    return text


def _limit(model: type[Any], name: str) -> int | None:
    return model._meta.get_field(name).max_length


def _stamp(instance: Any, *, by: Any, reason: str) -> None:
    """Who made this change and why, for the history row django-simple-history writes on
    save (also outside a web request: jobs, commands)."""
    instance._change_reason = reason
    if by is not None:
        instance._history_user = by


def _bump(case: Case, reason: str, *, by: Any = None) -> None:
    case.version += 1
    _stamp(case, by=by, reason=reason)
    case.save()


def _actors(case: Case, step: CaseStep) -> list[Any]:
    """The people who must act at a step: assignees where set, else everyone in the role."""
    people: list[Any] = []
    partnership = case.partnership
    for side, role, agency, assignee in (
        (
            Side.CHALLENGING,
            step.challenging_role,
            case.challenging_agency,
            step.challenging_assignee,
        ),
        (Side.RESPONDING, step.responding_role, case.responding_agency, step.responding_assignee),
        (Side.PARTNERSHIP, step.partnership_role, None, None),
    ):
        if not role:
            continue
        if assignee is not None:
            people.append(assignee)
            continue
        if side == Side.RESPONDING and role == Role.PRACTITIONER and case.responding_person:
            people.append(case.responding_person)
            continue
        if side == Side.CHALLENGING and role == Role.PRACTITIONER:
            people.append(case.raised_by)
            continue
        people.extend(people_in_role(agency=agency, partnership=partnership, role=role))
    return people


def _start_step(
    case: Case,
    spec: StepSpec,
    *,
    at: dt.datetime,
    due_at: dt.datetime | None = None,
    by: Any = None,
) -> CaseStep:
    """Create the case's step for spec, started at `at`, due by the policy's rule."""
    due = compute_due(
        spec.rule(risk=case.risk_of_significant_harm),
        step_start=at,
        raised_at=case.raised_at,
        calendar=partnership_calendar(partnership=case.partnership),
    )
    step = CaseStep(
        case=case,
        number=spec.number,
        name=spec.name,
        is_target=spec.target,
        started_at=at,
        due_at=due.moment,
        due_explanation=due.explanation,
        challenging_role=spec.actors.get(Side.CHALLENGING, ""),
        responding_role=spec.actors.get(Side.RESPONDING, ""),
        partnership_role=spec.actors.get(Side.PARTNERSHIP, ""),
    )
    if due_at is not None:
        _check_earlier(step, due_at)
        step.due_at = due_at
        step.due_set_by = DueSetBy.EARLIER
        step.due_explanation = (
            f"Set earlier by the practitioner to protect the person, due "
            f"{timezone.localtime(due_at):%H:%M %a %d %b %Y}. The policy's rule: "
            f"{due.explanation}"
        )
    _stamp(step, by=by, reason=f"step {spec.number} started")
    step.save()
    return step


def _check_earlier(step: CaseStep, due_at: dt.datetime) -> None:
    if timezone.is_naive(due_at):
        raise InvalidInput("Give the due moment with its time zone", field="due_at")
    if due_at <= step.started_at:
        raise InvalidInput("The due moment must be after the step started", field="due_at")
    if step.due_at is not None and due_at > step.due_at:
        raise InvalidInput(
            "A due moment later than the policy's can only be set with a reason", field="due_at"
        )


def _complete_step(step: CaseStep, *, by: Any, outcome: str, reason: str, at: dt.datetime) -> None:
    step.completed_at = at
    step.completed_by = by
    step.outcome = outcome
    step.outcome_reason = reason
    _stamp(step, by=by, reason=f"step {step.number} {outcome}")
    step.save()
    outbox_cancel_for_step(step=step)  # its reminders and alerts not yet sent


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
    professional = _require_text(
        responding_professional,
        field="responding_professional",
        what="the name and role of the professional you disagree with",
        limit=_limit(Case, "responding_professional"),
    )
    record_numbers = {
        name: _within(
            value.strip(),
            field=name,
            what=f"the {side} agency's record number",
            limit=_limit(Case, name),
        )
        for name, value, side in (
            ("challenging_record_number", challenging_record_number, "challenging"),
            ("responding_record_number", responding_record_number, "responding"),
        )
    }
    text = _require_text(disagreement, field="disagreement", what="the disagreement in your words")
    impact_text = _require_text(impact, field="impact", what="the impact on the child or adult")

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
        _start_step(case, route_spec.target, at=now, by=by)
    first = _start_step(case, route_spec.ladder[0], at=now, due_at=due_at, by=by)
    case.current_step = first
    _stamp(case, by=by, reason="raised")
    case.save(update_fields=["current_step"])
    outbox_add(
        event="case.raised",
        case=case,
        step=first,
        recipients=[responding_person, *_actors(case, first)],
    )
    return case


RECORD_TEXT_LIMIT = 20_000  # characters in one part of a step's record


def _check_record_keys(case: Case, spec: StepSpec, record: Mapping[str, str]) -> None:
    """A record holds the fields of the step's section of the policy's record (their slugs),
    never a signature (the service records who confirmed it, in which role, and when)."""
    fields = {f.slug: f for f in record_fields(policy_spec(case.policy_version), spec)}
    for key, value in record.items():
        field = fields.get(key)
        if field is None:
            raise InvalidInput(
                f"{spec.name} has no record field '{key}': its fields are " + ", ".join(fields),
                field="record",
            )
        if field.kind == "signature":
            raise InvalidInput(
                f"'{field.label}' is not typed: Resolve records who confirmed the record, "
                "their role and when",
                field="record",
            )
        _within(value, field="record", what=field.label, limit=RECORD_TEXT_LIMIT)


@transaction.atomic
def step_record_outcome(
    *,
    case: Case,
    by: Any,
    record: Mapping[str, Any],
    meeting_held: bool,
    expected_version: int,
) -> Case:
    """Write the current step's record (its pro forma section). The step stays open until it
    is escalated, skipped or resolved.

    Side effects: the step's record, recorded by and at; the case's version.
    """
    case = _lock(case, expected_version)
    _require_open(case)
    _require(by, "escalation.record_outcome", case, "record the outcome of")
    step = case.current_step
    assert step is not None
    spec = case_route(case).step(step.number)
    if spec.meeting_required and not meeting_held:
        raise InvalidInput(
            f"{spec.name} requires a meeting: record the meeting before its outcome",
            field="meeting_held",
        )
    clean = {k: str(v).strip() for k, v in record.items() if v is not None}
    _check_record_keys(case, spec, clean)
    if not any(clean.values()):
        raise InvalidInput("Write the record of this step", field="record")
    step.record = {**step.record, **clean}
    step.meeting_held = meeting_held
    step.recorded_at = timezone.now()
    step.recorded_by = by
    _stamp(step, by=by, reason="record written")
    step.save()
    _bump(case, f"step {step.number} record written", by=by)
    return case


def _advance(case: Case, *, by: Any, reason: str, outcome: str, event: str) -> Case:
    step = case.current_step
    assert step is not None
    spec_next = case_route(case).step_after(step.number)
    if spec_next is None:
        raise InvalidTransition(
            f"{step.name} is the last step of this route: it cannot go further."
        )
    now = timezone.now()
    _complete_step(step, by=by, outcome=outcome, reason=reason, at=now)
    nxt = _start_step(case, spec_next, at=now, by=by)
    case.current_step = nxt
    _bump(case, f"step {step.number} {outcome}: {reason}", by=by)
    # The next step's actors, and those of the step just completed (the other side learns
    # that its counterpart escalated).
    outbox_add(
        event=event, case=case, step=nxt, recipients=[*_actors(case, nxt), *_actors(case, step)]
    )
    return case


@transaction.atomic
def case_escalate(*, case: Case, by: Any, reason: str, expected_version: int) -> Case:
    """Move an open case to its next step; the next deadline follows the policy.

    Side effects: the current step completed (escalated); the next step started now with its
    due moment; the case's version and history; outbox: case.escalated to the next actors
    and to those of the step completed; the completed step's unsent reminders cancelled.
    """
    case = _lock(case, expected_version)
    _require_open(case)
    _require(by, "escalation.record_outcome", case, "escalate")
    text = _require_text(reason, field="reason", what="why the disagreement is not resolved")
    return _advance(case, by=by, reason=text, outcome=StepOutcome.ESCALATED, event="case.escalated")


@transaction.atomic
def case_skip_step(*, case: Case, by: Any, reason: str, expected_version: int) -> Case:
    """Skip the current step because a risk of significant harm calls for senior people sooner.

    Allowed only where the policy lets this step be skipped and the case is flagged at risk.
    Side effects: as case_escalate, with the step's outcome skipped; outbox: case.skipped.
    """
    case = _lock(case, expected_version)
    _require_open(case)
    _require(by, "escalation.record_outcome", case, "skip a step of")
    step = case.current_step
    assert step is not None
    if not case.risk_of_significant_harm:
        raise InvalidTransition(
            "A step can be skipped only when there is a risk of significant harm."
        )
    if not case_route(case).step(step.number).may_skip_when_risk:
        raise InvalidTransition(f"The policy does not let {step.name} be skipped.")
    text = _require_text(reason, field="reason", what="why this step must be skipped")
    return _advance(case, by=by, reason=text, outcome=StepOutcome.SKIPPED, event="case.skipped")


@transaction.atomic
def case_resolve(
    *,
    case: Case,
    by: Any,
    learning: str,
    themes: Iterable[str] = (),
    debrief_recommended: bool = False,
    case_review_recommended: bool = False,
    expected_version: int,
) -> Case:
    """Resolve the case at its current step, recording what should be learned.

    Side effects: the current step (and an open step 0 target) completed; the case resolved;
    its Learning row; outbox: case.resolved to the raiser and the responding professional.
    """
    case = _lock(case, expected_version)
    _require_open(case)
    _require(by, "escalation.resolve_case", case, "resolve")
    summary = _require_text(learning, field="learning", what="what should be learned")
    now = timezone.now()
    step = case.current_step
    assert step is not None
    _complete_step(step, by=by, outcome=StepOutcome.RESOLVED, reason="resolved", at=now)
    _close_targets(case, by=by, at=now, outcome=StepOutcome.RESOLVED)
    Learning.objects.create(
        case=case,
        summary=summary,
        themes=sorted({t.strip() for t in themes if t.strip()}),
        debrief_recommended=debrief_recommended,
        case_review_recommended=case_review_recommended,
        recorded_at=now,
        recorded_by=by,
    )
    case.status = CaseStatus.RESOLVED
    case.closed_at = now
    case.working_days_to_close = _working_days_to_close(case, now)
    _bump(case, f"resolved at step {step.number}", by=by)
    outbox_add(
        event="case.resolved",
        case=case,
        step=step,
        recipients=[case.raised_by, case.responding_person, *_actors(case, step)],
    )
    return case


def _working_days_to_close(case: Case, at: dt.datetime) -> int:
    """Working days from raising to closing, kept on the case for the board's reports."""
    calendar = partnership_calendar(partnership=case.partnership)
    return working_days_between(case.raised_at, at, calendar)


def _close_targets(case: Case, *, by: Any, at: dt.datetime, outcome: str) -> None:
    for target in case.steps.filter(is_target=True, completed_at__isnull=True):
        _complete_step(target, by=by, outcome=outcome, reason="case closed", at=at)


@transaction.atomic
def case_withdraw(*, case: Case, by: Any, reason: str, expected_version: int) -> Case:
    """Withdraw an open case (the raiser or a manager of the challenging agency).

    Side effects: open steps completed (withdrawn); the case withdrawn with the reason;
    outbox: case.withdrawn to the responding professional and the current actors.
    """
    case = _lock(case, expected_version)
    _require_open(case)
    _require(by, "escalation.withdraw_case", case, "withdraw")
    text = _require_text(reason, field="reason", what="why the challenge is withdrawn")
    now = timezone.now()
    step = case.current_step
    assert step is not None
    _complete_step(step, by=by, outcome=StepOutcome.WITHDRAWN, reason=text, at=now)
    _close_targets(case, by=by, at=now, outcome=StepOutcome.WITHDRAWN)
    case.status = CaseStatus.WITHDRAWN
    case.closed_at = now
    case.working_days_to_close = _working_days_to_close(case, now)
    case.closed_reason = text
    _bump(case, f"withdrawn: {text}", by=by)
    outbox_add(
        event="case.withdrawn",
        case=case,
        step=step,
        recipients=[case.responding_person, *_actors(case, step)],
    )
    return case


@transaction.atomic
def case_reassign(
    *, case: Case, by: Any, side: str, to: Any, reason: str, expected_version: int
) -> Case:
    """Name the person who must act for one side at the current step.

    The new assignee must work in that side's agency (or the partnership, for its side).
    Side effects: the step's assignee; the case's version; outbox: case.reassigned to them.
    """
    case = _lock(case, expected_version)
    _require_open(case)
    _require(by, "escalation.reassign_case", case, "reassign")
    step = case.current_step
    assert step is not None
    text = _require_text(reason, field="reason", what="why the step is reassigned")
    if side == Side.CHALLENGING and step.challenging_role:
        agency_ok = to.memberships.filter(agency=case.challenging_agency).exists()
    elif side == Side.RESPONDING and step.responding_role:
        agency_ok = to.memberships.filter(agency=case.responding_agency).exists()
    elif side == Side.PARTNERSHIP and step.partnership_role:
        agency_ok = to.memberships.filter(agency__partnership=case.partnership).exists()
    else:
        raise InvalidInput(f"Nobody acts for that side at {step.name}", field="side")
    if not agency_ok:
        raise InvalidInput(
            "The person must work in the agency of the side they act for", field="to"
        )
    if side == Side.PARTNERSHIP:
        raise InvalidInput("Partnership steps are shared by the partnership's team", field="side")
    if side == Side.CHALLENGING:
        step.challenging_assignee = to
    else:
        step.responding_assignee = to
    _stamp(step, by=by, reason=f"reassigned: {text}")
    step.save()
    _bump(
        case, f"step {step.number} reassigned to {to.get_full_name() or to.username}: {text}", by=by
    )
    outbox_add(event="case.reassigned", case=case, step=step, recipients=[to])
    return case


@transaction.atomic
def step_set_due(
    *, case: Case, by: Any, due_at: dt.datetime, reason: str = "", expected_version: int
) -> Case:
    """Change the current step's due moment: earlier freely, later only with a reason.

    Side effects: the step's due moment, who set it and why, and its explanation; the case's
    version and history.
    """
    case = _lock(case, expected_version)
    _require_open(case)
    _require(by, "escalation.set_due", case, "change the due moment of")
    step = case.current_step
    assert step is not None
    if timezone.is_naive(due_at):
        raise InvalidInput("Give the due moment with its time zone", field="due_at")
    if due_at <= timezone.now():
        raise InvalidInput("The due moment must be in the future", field="due_at")
    shown = f"{timezone.localtime(due_at):%H:%M %a %d %b %Y}"
    later = step.due_at is None or due_at > step.due_at
    text = (reason or "").strip()
    if later and not text:
        raise InvalidInput(
            "Give the reason for a due moment later than the policy's", field="reason"
        )
    before = step.due_explanation
    step.due_at = due_at
    step.due_set_by = DueSetBy.LATER if later else DueSetBy.EARLIER
    step.due_change_reason = text
    who = by.get_full_name() or by.username
    step.due_explanation = (
        f"Set {'later' if later else 'earlier'} by {who}"
        + (f" ({text})" if text else "")
        + f": due {shown}. Before: {before}"
    )
    _stamp(step, by=by, reason=f"due moment set {'later' if later else 'earlier'}")
    step.save()
    _bump(case, f"step {step.number} due moment changed", by=by)
    return case


@transaction.atomic
def case_meet_target(*, case: Case, by: Any, expected_version: int) -> Case:
    """Mark the step 0 target (e.g. the concern put in writing) as met."""
    case = _lock(case, expected_version)
    _require_open(case)
    _require(by, "escalation.meet_target", case, "update")
    target = case.steps.filter(is_target=True, completed_at__isnull=True).first()
    if target is None:
        raise InvalidTransition("This case has no open target to meet.")
    _complete_step(target, by=by, outcome=StepOutcome.MET, reason="met", at=timezone.now())
    _bump(case, f"step {target.number} target met", by=by)
    return case


def case_log_read(*, case: Case, user: Any, what: str) -> None:
    """Record that a person read a case (every read of a case is logged)."""
    CaseAccess.objects.create(case=case, user=user, what=what)


__all__ = [
    "CaseError",
    "case_escalate",
    "case_log_read",
    "case_meet_target",
    "case_raise",
    "case_reassign",
    "case_resolve",
    "case_route",
    "case_skip_step",
    "case_withdraw",
    "policy_spec",
    "step_record_outcome",
    "step_set_due",
]
