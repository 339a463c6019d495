"""The deadline sweep on 10,000 and on 1,000,000 steps in PostgreSQL.

The sweep's own partnership (written with COPY) holds 10,000 steps in cases of five: mostly
completed, some open and due far ahead, and a fixed 300 open steps that call for a reminder
or an alert at the moment measured: 100 due next working day, 100 due today, 100 overdue.
It is timed twice on the same server: first in a database of its own (created, migrated and
dropped here), where its 10,000 are all the steps there are; then in the bench database
beside the seed's 1,000,000 steps (bench/seed.py: 100,000 cases and the archive's; seeded
here when not already there), whose open steps are all due in 2031, so what is due is the
same 300 and the times should be too. Then it deletes what it made.

Figures: sweep_ms_10k, sweep_ms_1m (median of 5 runs, each writing the same 1,000 or so
outbox rows from nothing), sweep_steps_10k and sweep_steps_1m (the steps in the table at
each), sweep_ratio_1m_to_10k, and sweep_index_scan_1m (1 when EXPLAIN of the sweep's query
beside the seed reads the partial index open_step_due).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from bench.bulk import analyze, case_template, copy_rows, next_ids, step_template

CODE = "benchswp"
SMALL = 10_000
DUE_EACH = 100  # per kind: due next working day, due today, overdue
STEPS_PER_CASE = 5
FUTURE_SHARE = 0.01  # open steps due far ahead (never read by the sweep)
RUNS = 5
LONDON = ZoneInfo("Europe/London")
# Wednesday 10 March 2027, 10:00: a working day in England, no bank holiday near.
NOW = dt.datetime(2027, 3, 10, 10, 0, tzinfo=LONDON)


class _World:
    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from agencies.enums import AgencyKind, Role
        from agencies.models import Agency, Membership, Partnership
        from escalation.domain.policies import load_presets
        from escalation.models import Policy

        load_presets()
        policy = Policy.objects.get(slug="oscb-children")
        self.version = policy.versions.order_by("-number").first()
        self.partnership = Partnership.objects.create(
            name="Bench Sweep Partnership", code=CODE, nation="england", adopted_policy=policy
        )
        users = get_user_model().objects
        self.agencies = []
        self.people: dict[tuple[int, str], Any] = {}
        for i, kind in enumerate((AgencyKind.HEALTH, AgencyKind.CHILDRENS_SOCIAL_CARE)):
            agency = Agency.objects.create(
                partnership=self.partnership, name=f"Bench sweep agency {i}", kind=kind
            )
            self.agencies.append(agency)
            managers: dict[str, Any] = {}
            for role in (Role.SAFEGUARDING_LEAD, Role.LINE_MANAGER, Role.PRACTITIONER):
                user = users.create(
                    username=f"{CODE}-{i}-{role}", email=f"{CODE}-{i}-{role}@bench.invalid"
                )
                managers[role] = Membership.objects.create(
                    user=user,
                    agency=agency,
                    role=role,
                    line_manager=managers.get(Role.LINE_MANAGER)
                    if role == Role.PRACTITIONER
                    else None,
                )
                self.people[(i, role)] = user
        self.cases_made = 0

    def add(self, *, steps: int, future: int, due: bool) -> None:
        """Add `steps` steps in cases of STEPS_PER_CASE: a case with an open step has it
        last, after completed ones. `future` cases are open at a step due far ahead; when
        `due`, 300 more are open at a step that calls for a reminder or alert at NOW; the
        other cases are closed (every step completed). Written with COPY."""
        from agencies.enums import Role
        from escalation.models import Case, CaseStep

        close = NOW.replace(hour=17, minute=0)
        open_due: list[dt.datetime] = []
        if due:
            open_due += [close + dt.timedelta(days=1)] * DUE_EACH  # due next working day
            open_due += [close] * DUE_EACH  # due today
            open_due += [close - dt.timedelta(days=2 + n % 20) for n in range(DUE_EACH)]
        open_due += [NOW + dt.timedelta(days=10 + n % 400) for n in range(future)]
        closed_cases = (steps - STEPS_PER_CASE * len(open_due)) // STEPS_PER_CASE
        assert closed_cases >= 0 and steps % STEPS_PER_CASE == 0
        plan: list[dt.datetime | None] = [*open_due, *([None] * closed_cases)]

        raiser, responder = self.people[(0, Role.PRACTITIONER)], self.people[(1, Role.PRACTITIONER)]
        started = NOW - dt.timedelta(days=30)
        done_at = started + dt.timedelta(days=1)
        case_row = case_template(
            partnership=self.partnership,
            version=self.version,
            challenging_agency=self.agencies[0],
            raised_by=raiser,
            responding_agency=self.agencies[1],
            responding_person=responder,
            raised_at=started,
        )
        step_row = step_template(started_at=started, due_at=started + dt.timedelta(days=7))
        case_ids = next_ids(Case, len(plan))
        copy_rows(
            Case,
            case_row,
            (
                {
                    "id": case_id,
                    "reference": f"BSW-{case_id:09d}",
                    "status": "open" if step_due_at is not None else "resolved",
                }
                for case_id, step_due_at in zip(case_ids, plan, strict=True)
            ),
            with_pk=True,
        )

        def step_rows() -> Any:
            for case_id, step_due_at in zip(case_ids, plan, strict=True):
                for number in range(1, STEPS_PER_CASE + 1):
                    is_open = step_due_at is not None and number == STEPS_PER_CASE
                    yield {
                        "case_id": case_id,
                        "number": number,
                        "name": f"Step {number}",
                        "due_at": step_due_at if is_open else step_row.due_at,
                        "completed_at": None if is_open else done_at,
                        "outcome": "" if is_open else "escalated",
                    }

        copy_rows(CaseStep, step_row, step_rows(), with_pk=False)

    def step_count(self) -> int:
        from escalation.models import CaseStep

        return CaseStep.objects.filter(case__partnership=self.partnership).count()

    def clean(self) -> None:
        from django.db import connection

        pid = self.partnership.pk
        cases = "SELECT id FROM escalation_case WHERE partnership_id = %s"
        with connection.cursor() as cursor:
            for sql in (
                f"DELETE FROM notifications_notification WHERE case_id IN ({cases})",
                f"DELETE FROM notifications_outboxmessage WHERE case_id IN ({cases})",
                f"UPDATE escalation_case SET current_step_id = NULL WHERE id IN ({cases})",
                f"DELETE FROM escalation_casestep WHERE case_id IN ({cases})",
                "DELETE FROM escalation_case WHERE partnership_id = %s",
            ):
                cursor.execute(sql, [pid])
        users = [u.pk for u in self.people.values()]
        self.partnership.delete()  # agencies and memberships with it
        from django.contrib.auth import get_user_model

        get_user_model().objects.filter(pk__in=users).delete()


def _time_sweep(world: _World) -> tuple[float, int]:
    """Median milliseconds of RUNS sweeps at NOW, each from an empty outbox for the bench.

    The sweep's own work: reading, deciding, writing its outbox rows. Handing the rows to
    the broker afterwards (a constant cost per row, nothing to do with how many steps
    exist) is left out, so that the bench neither needs a broker nor fills one.
    """
    from notifications import sweep
    from notifications.models import OutboxMessage
    from notifications.sweep import deadline_sweep

    def empty() -> None:
        OutboxMessage.objects.filter(case__partnership=world.partnership).delete()

    queue = sweep.outbox_queue_on_commit
    sweep.outbox_queue_on_commit = lambda ids: None
    try:
        empty()
        deadline_sweep(now=NOW)  # warm: imports, holiday tables, plans
        times, written = [], 0
        for _ in range(RUNS):
            empty()
            started = time.perf_counter()
            result = deadline_sweep(now=NOW)
            times.append((time.perf_counter() - started) * 1000)
            written = result.written
            assert result.due == 3 * DUE_EACH, result
        empty()
    finally:
        sweep.outbox_queue_on_commit = queue
    return statistics.median(times), written


def _explain(world: _World) -> str:
    from notifications.selectors import sweep_candidates
    from notifications.sweep import working_hours_now

    hours = working_hours_now(now=NOW)
    due_before = max(h.horizon(NOW) for h in hours.values())
    return sweep_candidates(due_before=due_before).explain()


@contextmanager
def _small_database() -> Iterator[str]:
    """A database of its own, beside the bench database on the same server, migrated and
    empty, as Django's default connection; dropped after."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    small = f"{name}_sweep"
    quoted = connection.ops.quote_name(small)

    def switch(to: str) -> None:
        connection.close()
        connection.settings_dict["NAME"] = to
        ContentType.objects.clear_cache()  # its ids are the database's

    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
        cursor.execute(f"CREATE DATABASE {quoted}")
    switch(small)
    try:
        call_command("migrate", interactive=False, verbosity=0)
        yield small
    finally:
        switch(name)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")


def _measure(*, label: str) -> tuple[float, int, str]:
    """The sweep's partnership (10,000 steps, the 300 due among them) in the connected
    database, timed; the median ms, the steps in the whole table, the EXPLAIN."""
    from agencies.models import Partnership
    from escalation.models import CaseStep

    Partnership.objects.filter(code=CODE).delete()
    world = _World()
    try:
        world.add(steps=SMALL, future=int(SMALL * FUTURE_SHARE), due=True)
        analyze("escalation_casestep", "escalation_case")
        assert world.step_count() == SMALL
        total = CaseStep.objects.count()
        ms, written = _time_sweep(world)
        print(f"   {label}: {total:,} steps: {ms:.1f} ms, {written} outbox rows written")
        plan = _explain(world)
    finally:
        world.clean()
    return ms, total, plan


def run() -> dict[str, float]:
    from bench import seed

    with _small_database() as small:
        print(f"   database {small}: the sweep's own 10,000 steps alone")
        small_ms, small_total, _ = _measure(label="alone")
    seeded = seed.seed()
    print(
        f"   bench database: the seed's {seeded.steps:,} steps"
        + (f" (seeded in {seeded.seconds:.0f} s)" if seeded.created else " (already there)")
        + ", and the sweep's 10,000"
    )
    large_ms, large_total, plan = _measure(label="with the seed")
    print(f"   EXPLAIN of the sweep's query at {large_total:,} steps:")
    for line in plan.splitlines():
        print(f"     {line}")
    index_scan = "open_step_due" in plan and "Seq Scan on escalation_casestep" not in plan
    return {
        "sweep_ms_10k": small_ms,
        "sweep_steps_10k": float(small_total),
        "sweep_ms_1m": large_ms,
        "sweep_steps_1m": float(large_total),
        "sweep_ratio_1m_to_10k": large_ms / small_ms,
        "sweep_index_scan_1m": 1.0 if index_scan else 0.0,
    }
