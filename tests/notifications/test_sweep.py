"""The deadline sweep: which reminder or alert, to whom, on which working day, and only once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import psycopg
import pytest
import time_machine
from django.core import mail
from django.db import connection

from agencies.calendars import WorkingCalendar, WorkingHours
from agencies.enums import Role
from escalation.domain import case_escalate, case_meet_target, case_resolve, case_withdraw
from escalation.models import CaseStep
from notifications.enums import CHASERS, Event, OutboxStatus
from notifications.models import Notification, OutboxMessage
from notifications.selectors import sweep_candidates
from notifications.services import outbox_deliver
from notifications.sweep import chaser_due, chaser_key, deadline_sweep
from tests.notifications.conftest import ROOT, database_url_of_tests, deliver_pending, wait_for

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
ENGLAND = WorkingHours(calendar=WorkingCalendar(nation="england"))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


# --- the rule, without a database --------------------------------------------------------------

MON_23_NOON = at(2026, 11, 23, 12, 0)
DUE_MON_30 = at(2026, 11, 30, 17, 0)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2026, 11, 26, 10, 0), None),  # Thursday: two working days left
        (at(2026, 11, 27, 8, 29), None),  # Friday, before the working day starts
        (at(2026, 11, 27, 8, 30), Event.STEP_DUE_SOON),  # the last working day before
        (at(2026, 11, 27, 16, 59), Event.STEP_DUE_SOON),
        (at(2026, 11, 27, 17, 0), None),  # close of business: waits for Monday
        (at(2026, 11, 28, 10, 0), None),  # Saturday
        (at(2026, 11, 30, 8, 30), Event.STEP_DUE_TODAY),  # the morning of the due day
        (at(2026, 11, 30, 16, 59), Event.STEP_DUE_TODAY),
        (at(2026, 11, 30, 17, 0), None),  # due now, but at close of business: tomorrow
        (at(2026, 11, 30, 23, 0), None),  # night
        (at(2026, 12, 1, 8, 30), Event.STEP_OVERDUE),  # the next working morning
        (at(2026, 12, 4, 12, 0), Event.STEP_OVERDUE),  # each working day it stays open
        (at(2026, 12, 5, 12, 0), None),  # Saturday
    ],
)
def test_chaser_due_over_a_step_of_five_working_days(now, expected):
    assert chaser_due(due_at=DUE_MON_30, started_at=MON_23_NOON, hours=ENGLAND, now=now) == expected


@pytest.mark.parametrize(
    ("started", "due", "now", "expected"),
    [
        # A step that started today has just been announced: no reminder the same day.
        (at(2026, 11, 30, 9, 0), at(2026, 11, 30, 17, 0), at(2026, 11, 30, 10, 0), None),
        (at(2026, 11, 30, 9, 0), at(2026, 11, 30, 17, 0), at(2026, 12, 1, 8, 30),
         Event.STEP_OVERDUE),
        (at(2026, 11, 27, 9, 0), DUE_MON_30, at(2026, 11, 27, 10, 0), None),
        (at(2026, 11, 27, 9, 0), DUE_MON_30, at(2026, 11, 30, 8, 30), Event.STEP_DUE_TODAY),
        # Clock hours: due in the middle of a working day; overdue from that moment.
        (at(2026, 11, 30, 14, 0), at(2026, 12, 1, 14, 0), at(2026, 11, 30, 15, 0), None),
        (at(2026, 11, 30, 8, 0), at(2026, 12, 1, 14, 0), at(2026, 11, 30, 15, 0),
         Event.STEP_DUE_SOON),
        (at(2026, 11, 30, 8, 0), at(2026, 12, 1, 14, 0), at(2026, 12, 1, 8, 30),
         Event.STEP_DUE_TODAY),
        (at(2026, 11, 30, 8, 0), at(2026, 12, 1, 14, 0), at(2026, 12, 1, 14, 5),
         Event.STEP_OVERDUE),
        # Due before the working day starts: the morning brings the overdue alert.
        (at(2026, 11, 26, 8, 0), at(2026, 11, 27, 7, 0), at(2026, 11, 27, 8, 30),
         Event.STEP_OVERDUE),
        # Christmas in England: Fri 25 and Mon 28 Dec are bank holidays, so Thu 31 Dec is
        # the last working day before Mon 4 Jan; Fri 1 Jan is a bank holiday.
        (at(2026, 12, 23, 15, 0), at(2027, 1, 4, 17, 0), at(2026, 12, 30, 9, 0), None),
        (at(2026, 12, 23, 15, 0), at(2027, 1, 4, 17, 0), at(2026, 12, 31, 9, 0),
         Event.STEP_DUE_SOON),
        (at(2026, 12, 23, 15, 0), at(2027, 1, 4, 17, 0), at(2027, 1, 1, 9, 0), None),
    ],
)  # fmt: skip
def test_chaser_due_edges(started, due, now, expected):
    assert chaser_due(due_at=due, started_at=started, hours=ENGLAND, now=now) == expected


def test_the_working_day_start_is_the_partnerships():
    late = WorkingHours(calendar=WorkingCalendar(nation="england"), starts=dt.time(9, 30))
    due, started = DUE_MON_30, MON_23_NOON
    assert (
        chaser_due(due_at=due, started_at=started, hours=late, now=at(2026, 11, 27, 9, 0)) is None
    )
    assert (
        chaser_due(due_at=due, started_at=started, hours=late, now=at(2026, 11, 27, 9, 30))
        == Event.STEP_DUE_SOON
    )


def test_the_horizon_reaches_past_a_long_weekend():
    # Thu 24 Dec 2026: the next working day is Tue 29 Dec, so steps due that day are read.
    assert ENGLAND.horizon(at(2026, 12, 24, 10, 0)) == at(2026, 12, 30, 0, 0)


# --- a case's life, with the clock moved ------------------------------------------------------


def sweep_every(
    start: dt.datetime, end: dt.datetime, *, minutes: int = 30
) -> Iterator[dt.datetime]:
    """Run the sweep (and deliver what it wrote) every few minutes from start to end."""
    moment = start
    while moment <= end:
        with time_machine.travel(moment, tick=False):
            deadline_sweep()
            deliver_pending()
        yield moment
        moment += dt.timedelta(minutes=minutes)


def chasers_by_day(case) -> dict[tuple[int, str, dt.date], set[str]]:
    """(step number, event, local day) -> usernames, for the case's reminders and alerts."""
    found: dict[tuple[int, str, dt.date], set[str]] = defaultdict(set)
    for row in OutboxMessage.objects.filter(case=case, event__in=CHASERS).select_related(
        "step", "recipient"
    ):
        day = row.created_at.astimezone(LONDON).date()
        found[(row.step.number, row.event, day)].add(row.recipient.username)
    return dict(found)


def test_a_case_over_christmas_in_england(england):
    world = england
    with time_machine.travel(at(2026, 12, 23, 15, 0), tick=False):
        case = world.raise_case()
    step1 = case.current_step
    assert step1.due_at == at(2027, 1, 4, 17, 0)
    practitioners = {case.raised_by.username, case.responding_person.username}
    managers = {
        world.person(side, role).username
        for side in ("challenging", "responding")
        for role in (Role.LINE_MANAGER, Role.SAFEGUARDING_LEAD)
    }

    # Every hour at half past, day and night (the sweep's own schedule is every 5 minutes).
    list(sweep_every(at(2026, 12, 23, 15, 30), at(2027, 1, 6, 11, 30), minutes=60))
    with time_machine.travel(at(2027, 1, 6, 12, 0), tick=False):
        case.refresh_from_db()
        world.resolve(case, by=case.raised_by, learning="Agreed a joint visit")
    list(sweep_every(at(2027, 1, 6, 12, 30), at(2027, 1, 12, 12, 30), minutes=60))

    seen = chasers_by_day(case)
    # Step 0 (the practitioners' own attempt) runs beside step 1 with the same deadline.
    expected: dict[tuple[int, str, dt.date], set[str]] = {}
    for number in (0, 1):
        expected |= {
            (number, Event.STEP_DUE_SOON, dt.date(2026, 12, 31)): practitioners,
            (number, Event.STEP_DUE_TODAY, dt.date(2027, 1, 4)): practitioners,
            (number, Event.STEP_OVERDUE, dt.date(2027, 1, 5)): practitioners | managers,
            (number, Event.STEP_OVERDUE, dt.date(2027, 1, 6)): practitioners | managers,
        }
    assert seen == expected
    # Each written at the start of its working day, 08:30, and none at night.
    times = {
        row.created_at.astimezone(LONDON).time()
        for row in OutboxMessage.objects.filter(case=case, event__in=CHASERS)
    }
    assert times == {dt.time(8, 30)}
    # Delivered once each, by e-mail too; none after the resolution on Wed 6 Jan.
    chaser_rows = OutboxMessage.objects.filter(case=case, event__in=CHASERS)
    assert set(chaser_rows.values_list("status", flat=True)) == {OutboxStatus.SENT}
    chaser_mail = [m for m in mail.outbox if "Reminder" in m.subject or "Overdue" in m.subject]
    assert len(chaser_mail) == chaser_rows.count() == sum(len(v) for v in expected.values())


def test_a_case_over_st_andrews_day_in_scotland(scotland):
    world = scotland
    # Raised Thu 26 Nov 2026 at close of business: day 0 is Fri 27 Nov; stage 1 is due
    # Tue 1 Dec 17:00 (Mon 30 Nov, St Andrew's Day, is a bank holiday in Scotland).
    with time_machine.travel(at(2026, 11, 26, 17, 0), tick=False):
        case = world.raise_case()
    assert case.current_step.due_at == at(2026, 12, 1, 17, 0)
    raiser, responder = case.raised_by.username, case.responding_person.username
    raiser_managers = {
        world.person("challenging", Role.LINE_MANAGER).username,
        world.person("challenging", Role.SAFEGUARDING_LEAD).username,
    }
    responder_managers = {
        world.person("responding", Role.LINE_MANAGER).username,
        world.person("responding", Role.SAFEGUARDING_LEAD).username,
    }

    list(sweep_every(at(2026, 11, 26, 17, 30), at(2026, 12, 2, 9, 30), minutes=60))
    with time_machine.travel(at(2026, 12, 2, 10, 30), tick=False):
        case.refresh_from_db()
        case_withdraw(
            case=case, by=case.raised_by, reason="Resolved by phone", expected_version=case.version
        )
    list(sweep_every(at(2026, 12, 2, 10, 30), at(2026, 12, 7, 12, 30), minutes=60))

    assert chasers_by_day(case) == {
        # Step 0, "the same working day": due Fri 27 Nov 17:00, the raiser alone acts.
        (0, Event.STEP_DUE_TODAY, dt.date(2026, 11, 27)): {raiser},
        (0, Event.STEP_OVERDUE, dt.date(2026, 12, 1)): {raiser} | raiser_managers,
        (0, Event.STEP_OVERDUE, dt.date(2026, 12, 2)): {raiser} | raiser_managers,
        # Stage 1: reminded on Fri 27 Nov (the last working day before Tue 1 Dec), nothing on
        # the bank holiday, due today on Tue 1 Dec, overdue on Wed 2 Dec until withdrawn.
        (1, Event.STEP_DUE_SOON, dt.date(2026, 11, 27)): {raiser, responder},
        (1, Event.STEP_DUE_TODAY, dt.date(2026, 12, 1)): {raiser, responder},
        (1, Event.STEP_OVERDUE, dt.date(2026, 12, 2)): {raiser, responder}
        | raiser_managers
        | responder_managers,
    }


def test_the_partnerships_working_day_start_is_used(england):
    partnership = england.partnership
    partnership.working_day_starts = dt.time(9, 30)
    partnership.save()
    with time_machine.travel(at(2026, 11, 23, 12, 0), tick=False):
        case = england.raise_case()
    list(sweep_every(at(2026, 11, 27, 7, 0), at(2026, 11, 27, 12, 0), minutes=15))
    first = OutboxMessage.objects.filter(case=case, event=Event.STEP_DUE_SOON).earliest(
        "created_at"
    )
    assert first.created_at.astimezone(LONDON).time() == dt.time(9, 30)


# --- exactly once -------------------------------------------------------------------------------


def overdue_cases(world, count: int) -> list:
    with time_machine.travel(at(2026, 11, 23, 12, 0), tick=False):
        return [world.raise_case() for _ in range(count)]


def test_the_sweep_run_twice_at_the_same_moment_writes_nothing_new(england):
    overdue_cases(england, 3)
    with time_machine.travel(at(2026, 12, 2, 10, 0), tick=False):
        first = deadline_sweep()
        rows = set(OutboxMessage.objects.values_list("pk", "key"))
        second = deadline_sweep()
        assert set(OutboxMessage.objects.values_list("pk", "key")) == rows
    # 3 cases x 2 open steps, each to 2 practitioners + 2 line managers + 2 leads.
    assert (first.due, first.written) == (6, 36)
    assert (second.due, second.written) == (6, 0)
    assert second.queued == []


SWEEP_IN_ITS_OWN_PROCESS = """
import datetime as dt, zoneinfo
import django
django.setup()
import time_machine
from notifications.sweep import deadline_sweep
moment = dt.datetime(2026, 12, 2, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
with time_machine.travel(moment, tick=False):
    deadline_sweep()
"""
SWEEP_APP = "resolve-sweep-under-test"


def backends_of_the_sweep() -> list[tuple[int, str]]:
    """(pid, wait_event_type) of the sweep process's PostgreSQL sessions."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, coalesce(wait_event_type, '') FROM pg_stat_activity"
            " WHERE application_name = %s",
            [SWEEP_APP],
        )
        return list(cursor.fetchall())


def test_a_sweep_killed_half_way_loses_nothing_when_run_again(transactional_db, england):
    cases = overdue_cases(england, 4)
    moment = at(2026, 12, 2, 10, 0)
    # A session of our own holds, uncommitted, one of the rows the sweep will write: the
    # sweep's insert waits on it half-way through. Then the sweep's process is killed.
    step = cases[-1].current_step
    person = england.person("responding", Role.PRACTITIONER)
    key = chaser_key(
        event=Event.STEP_OVERDUE, step_id=step.pk, day=moment.date(), user_id=person.pk
    )
    holder = psycopg.connect(database_url_of_tests())
    try:
        holder.execute(
            "INSERT INTO notifications_outboxmessage (key, event, case_id, step_id,"
            " recipient_id, payload, status, attempts, last_error, cancel_reason, created_at)"
            " VALUES (%s, %s, %s, %s, %s, '{}', %s, 0, '', '', now())",
            [key, Event.STEP_OVERDUE, step.case_id, step.pk, person.pk, OutboxStatus.PENDING],
        )
        sweep = subprocess.Popen(
            [sys.executable, "-c", SWEEP_IN_ITS_OWN_PROCESS],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": database_url_of_tests(),
                "CELERY_BROKER_URL": "memory://",
                "PGAPPNAME": SWEEP_APP,
            },
        )
        wait_for(lambda: [b for b in backends_of_the_sweep() if b[1] == "Lock"], timeout=60)
        sweep.kill()  # SIGKILL: the sweep dies in the middle of writing its rows
        assert sweep.wait(timeout=30) == -signal.SIGKILL
    finally:
        holder.rollback()
        holder.close()
    # PostgreSQL ends the dead process's session and rolls its transaction back.
    wait_for(lambda: not backends_of_the_sweep(), timeout=60)
    assert OutboxMessage.objects.filter(event__in=CHASERS).count() == 0  # nothing half-written

    with time_machine.travel(moment, tick=False):
        again = deadline_sweep()
        half = list(OutboxMessage.objects.values_list("pk", flat=True))[::2]
        for pk in half:
            outbox_deliver(outbox_id=pk)
    assert again.written == 8 * 6  # 4 cases x 2 open steps x 6 people
    assert key in {row.key for row in OutboxMessage.objects.all()}
    # Later the same working day, half delivered: nothing new, nothing sent twice.
    with time_machine.travel(moment + dt.timedelta(hours=2), tick=False):
        assert deadline_sweep().written == 0
        deliver_pending()
    keys = list(OutboxMessage.objects.filter(event__in=CHASERS).values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 48
    assert len([m for m in mail.outbox if m.subject.startswith("Overdue")]) == 48


def test_a_sweep_meeting_rows_another_sweep_wrote_adds_only_the_missing(england):
    overdue_cases(england, 2)
    with time_machine.travel(at(2026, 12, 2, 10, 0), tick=False):
        deadline_sweep()
        chasers = OutboxMessage.objects.filter(event__in=CHASERS)
        keys = sorted(chasers.values_list("key", flat=True))
        # As if the other sweep had written only half when this one read the keys.
        OutboxMessage.objects.filter(key__in=keys[::2]).delete()
        assert deadline_sweep().written == len(keys[::2])
    assert sorted(chasers.values_list("key", flat=True)) == keys


# --- cancelling -------------------------------------------------------------------------------


def pending_chasers(case) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(case=case, event__in=CHASERS))


def test_completing_a_step_cancels_its_unsent_reminders(england):
    with time_machine.travel(at(2026, 11, 23, 12, 0), tick=False):
        case = england.raise_case()
    with time_machine.travel(at(2026, 11, 27, 9, 0), tick=False):
        deadline_sweep()
        rows = pending_chasers(case)
        assert {r.status for r in rows} == {OutboxStatus.PENDING}
        # One of them was delivered before the step completed: it stays sent.
        outbox_deliver(outbox_id=rows[0].pk)
        case = case_escalate(
            case=case, by=case.raised_by, reason="Not agreed", expected_version=case.version
        )
    statuses = {
        r.pk: (r.status, r.cancel_reason)
        for r in OutboxMessage.objects.filter(pk__in=[r.pk for r in rows])
    }
    step1 = [r for r in rows if r.step.number == 1]
    assert statuses[rows[0].pk][0] == OutboxStatus.SENT
    for row in step1:
        if row.pk != rows[0].pk:
            assert statuses[row.pk] == (OutboxStatus.CANCELLED, "step completed")
    # Step 0, the target beside step 1, is passed as the case moves on: its reminders go too.
    assert {statuses[r.pk] for r in rows if r.step.number == 0 and r.pk != rows[0].pk} == {
        (OutboxStatus.CANCELLED, "step completed")
    }


@pytest.mark.parametrize("close", ["resolve", "withdraw", "meet the target"])
def test_closing_cancels_every_open_steps_unsent_notifications(england, close):
    with time_machine.travel(at(2026, 11, 23, 12, 0), tick=False):
        case = england.raise_case()
    with time_machine.travel(at(2026, 12, 2, 10, 0), tick=False):
        deadline_sweep()
        if close == "resolve":
            england.resolve(case, by=case.raised_by, learning="x")
        elif close == "withdraw":
            case_withdraw(case=case, by=case.raised_by, reason="x", expected_version=1)
        else:
            case_meet_target(case=case, by=case.raised_by, expected_version=1)
        deliver_pending()
    by_step = defaultdict(set)
    for row in OutboxMessage.objects.filter(case=case, event__in=CHASERS).select_related("step"):
        by_step[row.step.number].add(row.status)
    if close == "meet the target":
        assert by_step == {0: {OutboxStatus.CANCELLED}, 1: {OutboxStatus.SENT}}
    else:
        assert by_step == {0: {OutboxStatus.CANCELLED}, 1: {OutboxStatus.CANCELLED}}
    overdue_mail = [m for m in mail.outbox if m.subject.startswith("Overdue")]
    assert len(overdue_mail) == (6 if close == "meet the target" else 0)


# --- the query ---------------------------------------------------------------------------------


def test_the_sweep_reads_only_steps_due_soon_or_overdue(england):
    with time_machine.travel(at(2026, 11, 23, 12, 0), tick=False):
        soon = england.raise_case()
    with time_machine.travel(at(2026, 11, 26, 12, 0), tick=False):
        later = england.raise_case()  # due Thu 3 Dec: not read on Fri 27 Nov
    with time_machine.travel(at(2026, 11, 27, 9, 0), tick=False):
        result = deadline_sweep()
    assert result.steps == 2  # steps 0 and 1 of the first case, none of the second
    assert not OutboxMessage.objects.filter(case=later, event__in=CHASERS).exists()
    assert OutboxMessage.objects.filter(case=soon, event=Event.STEP_DUE_SOON).count() == 4


def test_the_sweeps_query_reads_the_partial_index_and_joins_nothing(england):
    overdue_cases(england, 2)
    query = sweep_candidates(due_before=at(2026, 12, 3, 0, 0))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a small table: ask for the plan
        plan = query.explain()
    assert "open_step_due" in plan
    assert "Join" not in plan and "escalation_case " not in plan
    assert len(list(query)) == 4
    assert CaseStep.objects.count() == 4


def test_a_step_whose_resolution_waits_for_the_raiser_reminds_the_raiser_alone(england):
    with time_machine.travel(at(2026, 11, 23, 12, 0), tick=False):
        case = england.raise_case()
        case = england.write_record(case, by=case.responding_person)
        case = case_resolve(
            case=case,
            by=case.responding_person,
            learning="Agreed a joint visit",
            expected_version=case.version,
        )
    assert case.is_open  # proposed by the responding side: it waits for the raiser
    raiser = case.raised_by.username
    practitioners = {raiser, case.responding_person.username}
    for moment in (at(2026, 11, 30, 9, 0), at(2026, 12, 1, 9, 0)):
        with time_machine.travel(moment, tick=False):
            deadline_sweep()
            deliver_pending()
    seen = chasers_by_day(case)
    assert seen == {
        # Step 1 waits for the raiser's answer: only the raiser hears, managers are not alerted.
        (1, Event.STEP_DUE_TODAY, dt.date(2026, 11, 30)): {raiser},
        (1, Event.STEP_OVERDUE, dt.date(2026, 12, 1)): {raiser},
        # Step 0 (the practitioners' own attempt) is chased as before.
        (0, Event.STEP_DUE_TODAY, dt.date(2026, 11, 30)): practitioners,
        (0, Event.STEP_OVERDUE, dt.date(2026, 12, 1)): practitioners
        | {
            england.person(side, role).username
            for side in ("challenging", "responding")
            for role in (Role.LINE_MANAGER, Role.SAFEGUARDING_LEAD)
        },
    }
    titles = set(
        Notification.objects.filter(
            recipient=case.raised_by, case=case, event=Event.STEP_OVERDUE
        ).values_list("title", flat=True)
    )
    assert titles == {
        f"Case {case.reference}: the resolution waits for your answer",
        f"Overdue: case {case.reference}, step 0",
    }
