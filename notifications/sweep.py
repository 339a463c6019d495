"""The deadline sweep: reminders before a step falls due, alerts once it is overdue.

Celery beat runs `deadline_sweep` every few minutes (settings.RESOLVE_SWEEP_MINUTES). For each
open step it decides which one notification, if any, the step calls for at this moment
(`chaser_due`), and writes it to the outbox for each person who must hear it, keyed by
(kind, step, working day, person). The key is unique, so a sweep run twice, or killed
half-way and run again, writes each notification once; nothing is lost, because a run
writes whatever is still missing for the day.

The rules (docs/jobs.md says them in words):

- Only within the partnership's working hours: a working day (its nation's calendar and
  closure days), from its `working_day_starts` (08:30 by default) to its close of business.
  Outside them nothing is written; whatever falls due then waits for the next working day's
  start, when the sweep finds it.
- "Due next working day" (to the actors): on the last working day before the due day.
- "Due today" (to the actors): on the due day, before the due moment.
- "Overdue" (to the actors, their line managers and their agencies' safeguarding leads): on
  every working day from the due moment on, while the step stays open.
- A reminder is written only when the step was already running at the start of that working
  day: a step that starts today has just been announced by its transition.
- A step whose resolution waits for the raiser's side to agree (a ResolutionProposal not yet
  answered) is in the raiser's hands, not its actors': its reminders and alerts go to the
  raiser alone, saying that the resolution waits for their answer.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from agencies.calendars import LONDON, WorkingHours
from agencies.models import Partnership
from agencies.selectors import partnership_working_hours
from escalation.enums import CaseStatus
from escalation.models import CaseStep, ResolutionProposal
from notifications.enums import ESCALATING_CHASERS, Event, OutboxStatus
from notifications.models import OutboxMessage
from notifications.selectors import Recipients, sweep_candidates
from notifications.services import outbox_queue_on_commit

logger = logging.getLogger(__name__)


def chaser_due(
    *, due_at: dt.datetime, started_at: dt.datetime, hours: WorkingHours, now: dt.datetime
) -> Event | None:
    """The reminder or alert a step calls for at `now`, or None. Pure: no database.

    At most one per step and working day: within working hours, a step past its due moment
    is overdue; one due later today, or due on the next working day, gets its reminder if it
    was already running when today's working day started.
    """
    if not hours.is_open(now):
        return None
    if now >= due_at:
        return Event.STEP_OVERDUE
    today = now.astimezone(LONDON).date()
    due_day = due_at.astimezone(LONDON).date()
    if started_at >= hours.start_on(today):
        return None
    if due_day == today:
        return Event.STEP_DUE_TODAY
    if today < due_day <= hours.calendar.next_working_day(today):
        return Event.STEP_DUE_SOON
    return None


def chaser_key(*, event: Event, step_id: int, day: dt.date, user_id: int) -> str:
    """The outbox key of a reminder or alert: unique per kind, step, working day and person."""
    return f"{event}:step{step_id}:{day.isoformat()}:user{user_id}"


@dataclass(frozen=True)
class SweepResult:
    steps: int  # open steps read by the query
    due: int  # steps that called for a notification now
    written: int  # new outbox rows
    queued: list[int]  # the new rows' ids, handed to the workers after commit


def working_hours_now(*, now: dt.datetime) -> dict[int, WorkingHours]:
    """Partnership id -> its working hours, for the partnerships within working hours now."""
    found: dict[int, WorkingHours] = {}
    for partnership in Partnership.objects.prefetch_related("closure_days"):
        hours = partnership_working_hours(partnership=partnership)
        if hours.is_open(now):
            found[partnership.pk] = hours
    return found


def awaiting_agreement(step_ids: list[int]) -> set[int]:
    """Those of these steps whose proposed resolution waits for the raiser's side (one query)."""
    return set(
        ResolutionProposal.objects.filter(step_id__in=step_ids, answer="").values_list(
            "step_id", flat=True
        )
    )


def deadline_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Write the reminders and overdue alerts that are due now to the outbox.

    Side effects, in order: reads the partnerships within working hours; reads the open
    steps due before the furthest horizon (one indexed query) and their cases (by primary
    key), keeping open cases of those partnerships; reads who must hear about
    the steps that call for something (two queries) and which of them wait for the
    raiser's agreement (one); inserts the missing outbox rows,
    ignoring any whose key exists; after commit, queues their delivery.
    """
    now = now or timezone.now()
    open_now = working_hours_now(now=now)
    if not open_now:
        return SweepResult(steps=0, due=0, written=0, queued=[])
    due_before = max(hours.horizon(now) for hours in open_now.values())
    steps = [
        step
        for step in sweep_candidates(due_before=due_before)
        if step.case.partnership_id in open_now and step.case.status == CaseStatus.OPEN
    ]

    plan: list[tuple[CaseStep, Event]] = []
    for step in steps:
        assert step.due_at is not None
        hours = open_now[step.case.partnership_id]
        event = chaser_due(due_at=step.due_at, started_at=step.started_at, hours=hours, now=now)
        if event is not None:
            plan.append((step, event))
    if not plan:
        return SweepResult(steps=len(steps), due=0, written=0, queued=[])

    recipients = Recipients([step for step, _ in plan])
    awaiting = awaiting_agreement([step.pk for step, _ in plan])
    rows: dict[str, OutboxMessage] = {}
    for step, event in plan:
        hours = open_now[step.case.partnership_id]
        today = now.astimezone(LONDON).date()
        if step.pk in awaiting:
            people = [step.case.raised_by_id]
        elif event in ESCALATING_CHASERS:
            people = recipients.with_managers(step)
        else:
            people = recipients.actor_ids(step)
        for user_id in people:
            key = chaser_key(event=event, step_id=step.pk, day=today, user_id=user_id)
            rows[key] = OutboxMessage(
                key=key,
                event=event,
                case_id=step.case.pk,
                step_id=step.pk,
                recipient_id=user_id,
                payload={
                    "reference": step.case.reference,
                    "step": step.number,
                    "day": today.isoformat(),
                    **({"awaiting": "agreement"} if step.pk in awaiting else {}),
                },
                not_before=now,
                expires_at=hours.close_on(today),
            )

    with transaction.atomic():
        existing = set(
            OutboxMessage.objects.filter(key__in=list(rows)).values_list("key", flat=True)
        )
        missing = [row for key, row in rows.items() if key not in existing]
        # A sweep running at the same moment may insert the same keys: the unique key
        # makes the second insert a no-op instead of a second notification.
        OutboxMessage.objects.bulk_create(missing, ignore_conflicts=True, batch_size=1000)
        ids = list(
            OutboxMessage.objects.filter(
                key__in=[row.key for row in missing], status=OutboxStatus.PENDING
            ).values_list("pk", flat=True)
        )
        outbox_queue_on_commit(ids)
    logger.info(
        "deadline sweep at %s: %d open steps read, %d due a notification, %d rows written",
        now.isoformat(),
        len(steps),
        len(plan),
        len(ids),
    )
    return SweepResult(steps=len(steps), due=len(plan), written=len(ids), queued=ids)
