"""The transitions of a case: every change to a case goes through a function here.

Each transition, in order: locks the case row, refuses a stale form (version), checks the
actor's permission, checks the case's state, writes the change (history by
django-simple-history), computes the next due moment, and writes the notifications it causes
to the outbox in the same transaction. A refusal raises a CaseError and saves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from agencies.selectors import partnership_calendar
from escalation.deadlines import working_days_between
from escalation.domain import checks
from escalation.domain.base import (
    bump,
    complete_step,
    lock_case,
    require_open,
    require_perm,
    stamp,
    start_step,
    step_actors,
)
from escalation.enums import CaseStatus, DueSetBy, ResolutionAnswer, Side, StepOutcome
from escalation.errors import CaseError, InvalidInput, InvalidTransition, StaleCase
from escalation.models import Case, CaseAccess, Learning, ResolutionProposal, StepChase
from escalation.policy import StepSpec, record_fields
from escalation.queries.policies import case_route, policy_spec
from escalation.queries.steps import line_managers, pending_resolution, step_people, step_sides
from escalation.rules import works_for_side
from notifications.enums import Event
from notifications.services import outbox_add

if TYPE_CHECKING:
    from django.contrib.auth.models import User

RECORD_TEXT_LIMIT = checks.RECORD_TEXT_LIMIT  # characters in one part of a step's record


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
        checks.refuse(checks.record_value_problem(field.label, field.kind, value), field="record")


@transaction.atomic
def step_record_outcome(
    *,
    case: Case,
    by: User,
    record: Mapping[str, Any],
    meeting_held: bool,
    expected_version: int,
) -> Case:
    """Write the current step's record (its pro forma section). The step stays open until it
    is escalated, skipped or resolved.

    Side effects: the step's record, recorded by and at; the case's version.
    """
    case = lock_case(case, expected_version)
    require_open(case)
    require_perm(by, "escalation.record_outcome", case, "record the outcome of")
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
        raise InvalidInput(checks.RECORD_EMPTY, field="record")
    step.record = {**step.record, **clean}
    step.meeting_held = meeting_held
    step.recorded_at = timezone.now()
    step.recorded_by = by
    stamp(step, by=by, reason="record written")
    step.save()
    bump(case, f"step {step.number} record written", by=by)
    return case


def _require_next_step(case: Case) -> None:
    step = case.current_step
    assert step is not None
    if case_route(case).step_after(step.number) is None:
        raise InvalidTransition(
            f"{step.name} is the last step of this route: it cannot go further."
        )


def _advance(case: Case, *, by: User, reason: str, outcome: str, event: Event) -> Case:
    step = case.current_step
    assert step is not None
    spec_next = case_route(case).step_after(step.number)
    assert spec_next is not None  # _require_next_step
    now = timezone.now()
    complete_step(step, by=by, outcome=outcome, reason=reason, at=now)
    # A target runs beside step 1 only: moving on past it leaves it nothing to wait for.
    _close_targets(
        case,
        by=by,
        at=now,
        outcome=StepOutcome.PASSED,
        reason=f"the case moved on past step {step.number}",
    )
    nxt = start_step(case, spec_next, at=now, by=by)
    case.current_step = nxt
    bump(case, f"step {step.number} {outcome}: {reason}", by=by)
    # The next step's actors, and those of the step just completed (the other side learns
    # that its counterpart escalated).
    outbox_add(
        event=event,
        case=case,
        step=nxt,
        recipients=[*step_actors(case, nxt), *step_actors(case, step)],
    )
    return case


@transaction.atomic
def case_escalate(*, case: Case, by: User, reason: str, expected_version: int) -> Case:
    """Move an open case to its next step; the next deadline follows the policy.

    Side effects: the current step completed (escalated), and an open step 0 target with it
    (passed); the next step started now with its due moment; the case's version and history; outbox: case.escalated to the next actors
    and to those of the step completed; the completed step's unsent reminders cancelled.
    """
    case = lock_case(case, expected_version)
    require_open(case)
    _require_next_step(case)
    require_perm(by, "escalation.escalate_case", case, "escalate")
    text = checks.required_text(reason, field="reason", rule="escalate")
    return _advance(
        case, by=by, reason=text, outcome=StepOutcome.ESCALATED, event=Event.CASE_ESCALATED
    )


@transaction.atomic
def case_skip_step(*, case: Case, by: User, reason: str, expected_version: int) -> Case:
    """Skip the current step because a risk of significant harm calls for senior people sooner.

    Allowed only where the policy lets this step be skipped and the case is flagged at risk.
    Side effects: as case_escalate, with the step's outcome skipped; outbox: case.skipped.
    """
    case = lock_case(case, expected_version)
    require_open(case)
    step = case.current_step
    assert step is not None
    if not case.risk_of_significant_harm:
        raise InvalidTransition(
            "A step can be skipped only when there is a risk of significant harm."
        )
    if not case_route(case).step(step.number).may_skip_when_risk:
        raise InvalidTransition(f"The policy does not let {step.name} be skipped.")
    _require_next_step(case)
    require_perm(by, "escalation.skip_step", case, "skip a step of")
    text = checks.required_text(reason, field="reason", rule="skip")
    return _advance(case, by=by, reason=text, outcome=StepOutcome.SKIPPED, event=Event.CASE_SKIPPED)


@transaction.atomic
def case_resolve(
    *,
    case: Case,
    by: User,
    learning: str,
    themes: Iterable[str] = (),
    debrief_recommended: bool = False,
    case_review_recommended: bool = False,
    expected_version: int,
) -> Case:
    """Resolve the case at its current step, with what should be learned; both sides agree.

    Only once the step's record is written. Someone of the raiser's side (the raiser, a
    manager of the challenging agency) resolves it at once: their word is the agreement.
    Anyone else acting at the step proposes it: a ResolutionProposal waits for the raiser's
    side to agree (case_agree_resolution) or dispute it (case_dispute_resolution).

    Side effects, resolved: the current step (and an open step 0 target) completed; the case
    resolved; its Learning row; outbox: case.resolved to the raiser, the responding
    professional and the step's actors. Proposed: the proposal; the case's version and
    history; outbox: case.resolution_proposed to the raiser.
    """
    case = lock_case(case, expected_version)
    require_open(case)
    require_perm(by, "escalation.resolve_case", case, "resolve")
    step = case.current_step
    assert step is not None
    problem = checks.resolve_problem(
        recorded=step.recorded_at is not None, waiting=pending_resolution(case) is not None
    )
    if problem:
        raise InvalidTransition(problem)
    summary = checks.required_text(learning, field="learning", rule="resolve")
    kept_themes = sorted({t.strip() for t in themes if t.strip()})
    proposal = ResolutionProposal(
        case=case,
        step=step,
        proposed_by=by,
        proposed_at=timezone.now(),
        learning=summary,
        themes=kept_themes,
        debrief_recommended=debrief_recommended,
        case_review_recommended=case_review_recommended,
    )
    if by.has_perm("escalation.agree_for_raiser", case):
        # Their word is the agreement: the case resolves with what they would have proposed.
        return _resolve(
            case,
            by=by,
            learning=_learning_of(proposal),
            reason=f"resolved at step {step.number}, agreed by {_name(by)} for the raiser's side",
        )
    proposal.save()
    bump(case, f"step {step.number} resolution proposed, for the raiser's side to agree", by=by)
    outbox_add(
        event=Event.CASE_RESOLUTION_PROPOSED, case=case, step=step, recipients=[case.raised_by]
    )
    return case


def _name(user: User) -> str:
    return str(user.get_full_name() or user.username)


def _learning_of(proposal: ResolutionProposal) -> Learning:
    """What should be learned, as the person who proposed the resolution wrote it."""
    return Learning(
        summary=proposal.learning,
        themes=proposal.themes,
        debrief_recommended=proposal.debrief_recommended,
        case_review_recommended=proposal.case_review_recommended,
        recorded_by=proposal.proposed_by,
    )


def _resolve(case: Case, *, by: User, learning: Learning, reason: str) -> Case:
    now = timezone.now()
    step = case.current_step
    assert step is not None
    complete_step(step, by=by, outcome=StepOutcome.RESOLVED, reason="resolved", at=now)
    _close_targets(case, by=by, at=now, outcome=StepOutcome.RESOLVED)
    learning.case = case
    learning.recorded_at = now
    learning.save()
    case.status = CaseStatus.RESOLVED
    case.closed_at = now
    case.working_days_to_close = _working_days_to_close(case, now)
    bump(case, reason, by=by)
    outbox_add(
        event=Event.CASE_RESOLVED,
        case=case,
        step=step,
        recipients=[case.raised_by, case.responding_person, *step_actors(case, step)],
    )
    return case


def _waiting_proposal(case: Case, by: User) -> ResolutionProposal:
    require_perm(by, "escalation.agree_for_raiser", case, "answer the resolution of")
    proposal = pending_resolution(case)
    if proposal is None:
        raise InvalidTransition(checks.NOTHING_TO_ANSWER)
    return proposal


@transaction.atomic
def case_agree_resolution(*, case: Case, by: User, expected_version: int) -> Case:
    """The raiser's side agrees to the resolution proposed at the current step: the case is
    resolved with the proposal's learning, recorded by the person who proposed it.

    Side effects: the proposal answered (agreed, by, at); then as case_resolve resolving.
    """
    case = lock_case(case, expected_version)
    require_open(case)
    proposal = _waiting_proposal(case, by)
    proposal.answer = ResolutionAnswer.AGREED
    proposal.answered_by = by
    proposal.answered_at = timezone.now()
    proposal.save(update_fields=["answer", "answered_by", "answered_at"])
    step = case.current_step
    assert step is not None
    return _resolve(
        case,
        by=by,
        learning=_learning_of(proposal),
        reason=(
            f"resolved at step {step.number}, proposed by {_name(proposal.proposed_by)}, "
            f"agreed by {_name(by)} for the raiser's side"
        ),
    )


@transaction.atomic
def case_dispute_resolution(*, case: Case, by: User, reason: str, expected_version: int) -> Case:
    """The raiser's side does not agree to the resolution proposed at the current step: the
    case escalates to its next step with their reason. Refused at the policy's last step.

    Side effects: the proposal answered (disputed, by, at, the reason); then as case_escalate.
    """
    case = lock_case(case, expected_version)
    require_open(case)
    proposal = _waiting_proposal(case, by)
    step = case.current_step
    assert step is not None
    if case_route(case).step_after(step.number) is None:
        raise InvalidTransition(checks.LAST_STEP_DISPUTE)
    text = checks.required_text(reason, field="reason", rule="dispute")
    proposal.answer = ResolutionAnswer.DISPUTED
    proposal.answered_by = by
    proposal.answered_at = timezone.now()
    proposal.dispute_reason = text
    proposal.save(update_fields=["answer", "answered_by", "answered_at", "dispute_reason"])
    return _advance(
        case,
        by=by,
        reason=f"resolution disputed by the raiser's side: {text}",
        outcome=StepOutcome.ESCALATED,
        event=Event.CASE_ESCALATED,
    )


def _working_days_to_close(case: Case, at: dt.datetime) -> int:
    """Working days from raising to closing, kept on the case for the board's reports."""
    calendar = partnership_calendar(partnership=case.partnership)
    return working_days_between(case.raised_at, at, calendar)


def _close_targets(
    case: Case, *, by: User, at: dt.datetime, outcome: str, reason: str = "case closed"
) -> None:
    for target in case.steps.filter(is_target=True, completed_at__isnull=True):
        complete_step(target, by=by, outcome=outcome, reason=reason, at=at)


@transaction.atomic
def case_withdraw(*, case: Case, by: User, reason: str, expected_version: int) -> Case:
    """Withdraw an open case (the raiser or a manager of the challenging agency).

    Side effects: open steps completed (withdrawn); the case withdrawn with the reason;
    outbox: case.withdrawn to the responding professional and the current actors.
    """
    case = lock_case(case, expected_version)
    require_open(case)
    require_perm(by, "escalation.withdraw_case", case, "withdraw")
    text = checks.required_text(reason, field="reason", rule="withdraw")
    now = timezone.now()
    step = case.current_step
    assert step is not None
    complete_step(step, by=by, outcome=StepOutcome.WITHDRAWN, reason=text, at=now)
    _close_targets(case, by=by, at=now, outcome=StepOutcome.WITHDRAWN)
    case.status = CaseStatus.WITHDRAWN
    case.closed_at = now
    case.working_days_to_close = _working_days_to_close(case, now)
    case.closed_reason = text
    bump(case, f"withdrawn: {text}", by=by)
    outbox_add(
        event=Event.CASE_WITHDRAWN,
        case=case,
        step=step,
        recipients=[case.responding_person, *step_actors(case, step)],
    )
    return case


@transaction.atomic
def case_reassign(
    *, case: Case, by: User, side: str, to: User | None, reason: str, expected_version: int
) -> Case:
    """Name the person who must act for one side at the current step.

    The new assignee must work in that side's agency (or the partnership, for its side).
    Side effects: the step's assignee; the case's version; outbox: case.reassigned to them.
    """
    case = lock_case(case, expected_version)
    require_open(case)
    require_perm(by, "escalation.reassign_case", case, "reassign")
    step = case.current_step
    assert step is not None
    if not side:
        raise InvalidInput("Select the side you are naming someone for", field="side")
    if to is None:
        raise InvalidInput("Select the person who should act", field="to")
    text = checks.required_text(reason, field="reason", rule="reassign")
    acting = next((s for s in step_sides(step, case=case) if s.side == side), None)
    if acting is None:
        raise InvalidInput(f"Nobody acts for that side at {step.name}", field="side")
    if acting.agency_id is None:
        raise InvalidInput("Partnership steps are shared by the partnership's team", field="side")
    if not works_for_side(by, case, side):
        agency = acting.agency
        raise InvalidInput(
            f"Only a person of {agency.name if agency else 'that side'} may name who acts for it",
            field="side",
        )
    if not to.memberships.filter(agency_id=acting.agency_id).exists():
        raise InvalidInput(
            "The person must work in the agency of the side they act for", field="to"
        )
    if side == Side.CHALLENGING:
        step.challenging_assignee = to
    else:
        step.responding_assignee = to
    stamp(step, by=by, reason=f"reassigned: {text}")
    step.save()
    bump(
        case, f"step {step.number} reassigned to {to.get_full_name() or to.username}: {text}", by=by
    )
    outbox_add(event=Event.CASE_REASSIGNED, case=case, step=step, recipients=[to])
    return case


# A second chase of the same step within this time is refused (docs/decisions.md, "Chasing").
CHASE_WINDOW = dt.timedelta(hours=24)


def _recent_chase(case: Case, now: dt.datetime) -> StepChase | None:
    if case.current_step_id is None:
        return None
    return (
        StepChase.objects.filter(step_id=case.current_step_id, at__gt=now - CHASE_WINDOW)
        .select_related("by")
        .first()
    )


def _chased_already(chase: StepChase) -> InvalidTransition:
    who = chase.by.get_full_name() or chase.by.username
    again = timezone.localtime(chase.at + CHASE_WINDOW)
    return InvalidTransition(
        f"{who} chased this step at {timezone.localtime(chase.at):%H:%M on %a %d %b %Y}: "
        f"it can be chased again from {again:%H:%M on %a %d %b %Y}."
    )


@transaction.atomic
def step_chase(*, case: Case, by: User, reason: str, expected_version: int) -> Case:
    """Chase the current step when it is overdue: a message, with the reason kept in the
    case's history, to the people who act at it and their line managers.

    Who may: escalation.chase_step (the parties' safeguarding leads, the partnership's board
    staff). A step is chased at most once in CHASE_WINDOW: a second chase (a button pressed
    twice, a colleague chasing too) is refused and writes nothing.
    Side effects: a StepChase row; the case's version and history; outbox: case.chased, one
    row per person who acts at the step and per line manager of theirs.
    """
    now = timezone.now()
    try:
        case = lock_case(case, expected_version)
    except StaleCase:
        # A second press of the button comes with the version the first one changed.
        recent = _recent_chase(Case.objects.get(pk=case.pk), now)
        if recent is not None:
            raise _chased_already(recent) from None
        raise
    require_open(case)
    require_perm(by, "escalation.chase_step", case, "chase")
    step = case.current_step
    assert step is not None
    if step.due_at is None or step.due_at >= now:
        due = (
            f"it is due {timezone.localtime(step.due_at):%H:%M on %a %d %b %Y}"
            if step.due_at
            else "it has no deadline"
        )
        raise InvalidTransition(
            f"{step.name} is not overdue: {due}. Only an overdue step can be chased."
        )
    recent = _recent_chase(case, now)
    if recent is not None:
        raise _chased_already(recent)
    text = checks.required_text(reason, field="reason", rule="chase", limit=checks.CHASE_REASON)
    StepChase.objects.create(case=case, step=step, by=by, at=now, reason=text)
    bump(case, f"step {step.number} chased: {text}", by=by)
    people = step_people(step, case=case)
    who = by.get_full_name() or by.username
    outbox_add(
        event=Event.CASE_CHASED,
        case=case,
        step=step,
        recipients=[*(person for _, person in people), *line_managers(people)],
        payload={"chased_by": who},
    )
    return case


@transaction.atomic
def step_set_due(
    *, case: Case, by: User, due_at: dt.datetime | None, reason: str = "", expected_version: int
) -> Case:
    """Change the current step's due moment: earlier freely, later only with a reason.

    Side effects: the step's due moment, who set it and why, and its explanation; the case's
    version and history.
    """
    case = lock_case(case, expected_version)
    require_open(case)
    require_perm(by, "escalation.set_due", case, "change the due moment of")
    step = case.current_step
    assert step is not None
    if due_at is None:
        raise InvalidInput("Enter the new due date and time", field="due_at")
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
    stamp(step, by=by, reason=f"due moment set {'later' if later else 'earlier'}")
    step.save()
    bump(case, f"step {step.number} due moment changed", by=by)
    return case


@transaction.atomic
def case_meet_target(*, case: Case, by: User, expected_version: int) -> Case:
    """Mark the step 0 target (e.g. the concern put in writing) as met."""
    case = lock_case(case, expected_version)
    require_open(case)
    require_perm(by, "escalation.meet_target", case, "update")
    target = case.steps.filter(is_target=True, completed_at__isnull=True).first()
    if target is None:
        raise InvalidTransition("This case has no open target to meet.")
    complete_step(target, by=by, outcome=StepOutcome.MET, reason="met", at=timezone.now())
    bump(case, f"step {target.number} target met", by=by)
    return case


def case_log_read(*, case: Case, user: User, what: str) -> None:
    """Record that a person read a case (every read of a case is logged)."""
    CaseAccess.objects.create(case=case, user=user, what=what)


__all__ = [
    "CaseError",
    "case_agree_resolution",
    "case_dispute_resolution",
    "case_escalate",
    "case_log_read",
    "case_meet_target",
    "case_reassign",
    "case_resolve",
    "case_skip_step",
    "case_withdraw",
    "step_chase",
    "step_record_outcome",
    "step_set_due",
]
