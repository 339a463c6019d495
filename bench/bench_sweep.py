"""The deadline sweep on 10,000 and on 1,000,000 steps in PostgreSQL.

Builds a partnership in the bench database (COPY) whose steps are mostly completed,
some open and due far ahead, and a fixed 300 open steps that call for a reminder or an alert
at the moment measured: 100 due next working day, 100 due today, 100 overdue. It times the
sweep at 10,000 steps, adds steps (all completed or due far ahead) up to 1,000,000, and times
it again: what is due is the same, so the times should be too. Then it deletes everything
it made.

Figures: sweep_ms_10k, sweep_ms_1m (median of 5 runs, each writing the same 1,000 or so
outbox rows from nothing), sweep_ratio_1m_to_10k, and sweep_index_scan_1m (1 when EXPLAIN
of the sweep's query at 1,000,000 steps reads the partial index open_step_due).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any
from zoneinfo import ZoneInfo

CODE = "benchswp"
SMALL = 10_000
LARGE = 1_000_000
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
        case_template = Case(
            partnership=self.partnership,
            reference="",
            policy_version=self.version,
            route="standard",
            category="criteria-for-referrals",
            challenging_agency=self.agencies[0],
            raised_by=raiser,
            responding_agency=self.agencies[1],
            responding_person=responder,
            responding_professional="Bench professional",
            subject_kind="child",
            subject_initials="ZZ",
            subject_age_band="5-10",
            disagreement="Bench",
            impact="Bench",
            raised_at=started,
        )
        step_template = CaseStep(
            number=1,
            name="Step 1",
            started_at=started,
            due_at=started + dt.timedelta(days=7),
            challenging_role=Role.PRACTITIONER,
            responding_role=Role.PRACTITIONER,
        )
        case_ids = _next_ids(Case, len(plan))
        _copy(
            Case,
            case_template,
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
                        "due_at": step_due_at if is_open else step_template.due_at,
                        "completed_at": None if is_open else done_at,
                        "outcome": "" if is_open else "escalated",
                    }

        _copy(CaseStep, step_template, step_rows(), with_pk=False)

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


def _next_ids(model: Any, count: int) -> list[int]:
    """Primary keys taken from the table's own sequence, for rows written with COPY."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model: Any, template: Any, changes: Any, *, with_pk: bool) -> None:
    """COPY rows into the model's table: each row is the template's values (as the model's
    fields would save them, so a column added later gets its default) with `changes`."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    base = [f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields]
    position = {f.attname: i for i, f in enumerate(fields)}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for change in changes:
            row = list(base)
            for attname, value in change.items():
                row[position[attname]] = value
            copy.write_row(row)


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE escalation_casestep")
        cursor.execute("ANALYZE escalation_case")


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


def run() -> dict[str, float]:
    from agencies.models import Partnership

    Partnership.objects.filter(code=CODE).delete()
    world = _World()
    try:
        future_small = int(SMALL * FUTURE_SHARE)
        world.add(steps=SMALL, future=future_small, due=True)
        _analyze()
        assert world.step_count() == SMALL
        small_ms, written = _time_sweep(world)
        print(f"   {SMALL:,} steps: {small_ms:.1f} ms, {written} outbox rows written")

        started = time.perf_counter()
        future_more = int(LARGE * FUTURE_SHARE) - future_small
        world.add(steps=LARGE - SMALL, future=future_more, due=False)
        _analyze()
        assert world.step_count() == LARGE
        print(f"   grew to {LARGE:,} steps in {time.perf_counter() - started:.0f} s")
        large_ms, written = _time_sweep(world)
        print(f"   {LARGE:,} steps: {large_ms:.1f} ms, {written} outbox rows written")
        plan = _explain(world)
        print("   EXPLAIN of the sweep's query at 1,000,000 steps:")
        for line in plan.splitlines():
            print(f"     {line}")
        index_scan = "open_step_due" in plan and "Seq Scan on escalation_casestep" not in plan
    finally:
        world.clean()
    return {
        "sweep_ms_10k": small_ms,
        "sweep_ms_1m": large_ms,
        "sweep_ratio_1m_to_10k": large_ms / small_ms,
        "sweep_index_scan_1m": 1.0 if index_scan else 0.0,
    }
