"""What every transition does the same way: lock the case, refuse, stamp the history, start
and complete steps. Only the domain's modules (cases.py, raising.py) call these."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from agencies.selectors import partnership_calendar
from escalation.deadlines import compute_due
from escalation.domain import checks
from escalation.enums import CaseStatus, DueSetBy, Side
from escalation.errors import InvalidInput, InvalidTransition, NotAllowed, StaleCase
from escalation.models import Case, CaseStep
from escalation.policy import StepSpec
from escalation.queries.steps import step_people
from notifications.services import outbox_cancel_for_step

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def lock_case(case: Case, expected_version: int) -> Case:
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("partnership", "policy_version", "current_step")
        .get(pk=case.pk)
    )
    if locked.version != expected_version:
        raise StaleCase(locked.reference)
    return locked


def require_perm(by: User, perm: str, case: Case, doing: str) -> None:
    if not by.has_perm(perm, case):
        raise NotAllowed(f"You cannot {doing} case {case.reference} now.")


def require_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise InvalidTransition(
            f"Case {case.reference} is {case.get_status_display().lower()}: nothing more can change."
        )


def require_text(value: str, *, field: str, what: str, limit: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"Enter {what}", field=field)
    return within(text, field=field, what=what, limit=limit)


def within(text: str, *, field: str, what: str, limit: int | None) -> str:
    """The text, or InvalidInput when it is longer than `limit` characters."""
    if limit is not None and len(text) > limit:
        raise InvalidInput(
            f"{what[0].upper()}{what[1:]} must be {limit} characters or fewer", field=field
        )
    return text


def field_limit(model: type[Any], name: str) -> int | None:
    return model._meta.get_field(name).max_length


def stamp(instance: Any, *, by: User | None, reason: str) -> None:
    """Who made this change and why, for the history row django-simple-history writes on
    save (also outside a web request: jobs, commands)."""
    instance._change_reason = reason
    if by is not None:
        instance._history_user = by


def bump(case: Case, reason: str, *, by: User | None = None) -> None:
    case.version += 1
    stamp(case, by=by, reason=reason)
    case.save()


def step_actors(case: Case, step: CaseStep) -> list[User]:
    """The people who must act at a step: assignees where set, else everyone in the role
    (escalation.queries.steps.step_people)."""
    return [person for _, person in step_people(step, case=case)]


def start_step(
    case: Case,
    spec: StepSpec,
    *,
    at: dt.datetime,
    due_at: dt.datetime | None = None,
    by: User | None = None,
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
        check_earlier(step, due_at)
        step.due_at = due_at
        step.due_set_by = DueSetBy.EARLIER
        step.due_explanation = (
            f"Set earlier by the practitioner to protect the person, due "
            f"{timezone.localtime(due_at):%H:%M %a %d %b %Y}. The policy's rule: "
            f"{due.explanation}"
        )
    stamp(step, by=by, reason=f"step {spec.number} started")
    step.save()
    return step


def check_earlier(step: CaseStep, due_at: dt.datetime) -> None:
    if timezone.is_naive(due_at):
        raise InvalidInput("Give the due moment with its time zone", field="due_at")
    problem = checks.earlier_due_problem(due_at, now=step.started_at, policy_due=step.due_at)
    if problem is not None:
        raise InvalidInput(problem, field="due_at")


def complete_step(step: CaseStep, *, by: User, outcome: str, reason: str, at: dt.datetime) -> None:
    step.completed_at = at
    step.completed_by = by
    step.outcome = outcome
    step.outcome_reason = reason
    stamp(step, by=by, reason=f"step {step.number} {outcome}")
    step.save()
    outbox_cancel_for_step(step=step)  # its reminders and alerts not yet sent
