"""Each hot query's plan reads its index at a size where a sequential scan would cost more:
enough rows made in bulk, then ANALYZE, then EXPLAIN (never enable_seqscan=off)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import timezone

from escalation.domain.policies import policy_current_version
from escalation.models import Case, CaseAccess, CaseStep
from tests.escalation.world import World, preset_world

CASES = 200
READS_PER_CASE = 30
STEPS_PER_CASE = 5


@pytest.fixture
def oscb(presets) -> World:
    return preset_world(presets, "oscb-children")


def _cases(world: World, count: int = CASES, prefix: str = "TST") -> list[Case]:
    version = policy_current_version(world.partnership.adopted_policy)
    raiser = world.person("challenging", "practitioner")
    now = timezone.now()
    return Case.objects.bulk_create(
        Case(
            partnership=world.partnership,
            reference=f"{prefix}-{i:05d}",
            policy_version=version,
            challenging_agency=world.challenging,
            raised_by=raiser,
            responding_agency=world.responding,
            subject_kind="child",
            subject_initials="AB",
            subject_age_band="5-10",
            disagreement="d",
            impact="i",
            raised_at=now - dt.timedelta(minutes=i),
        )
        for i in range(count)
    )


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE escalation_case, escalation_casestep, escalation_caseaccess")
    return queryset.explain()


def test_a_cases_reads_newest_first_read_the_access_log_index(oscb):
    cases = _cases(oscb)
    reader = oscb.person("responding", "practitioner")
    start = timezone.now()
    CaseAccess.objects.bulk_create(
        CaseAccess(case=case, user=reader, what="the case page")
        for case in cases
        for _ in range(READS_PER_CASE * (100 if case == cases[7] else 1))
    )
    # auto_now_add sets one moment for the batch; spread the reads over a month.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE escalation_caseaccess SET at = %s - (id || ' minutes')::interval", [start]
        )
    plan = _plan(CaseAccess.objects.filter(case=cases[7]).order_by("-at", "-pk")[:20])
    assert "case_access_newest" in plan, plan
    assert "Seq Scan on escalation_caseaccess" not in plan, plan


def test_the_sweeps_open_steps_by_due_moment_read_the_partial_index(oscb):
    cases = _cases(oscb)
    now = timezone.now()
    steps = []
    for n, case in enumerate(cases):
        for number in range(1, STEPS_PER_CASE + 1):
            is_open = number == STEPS_PER_CASE and n % 20 == 0
            steps.append(
                CaseStep(
                    case=case,
                    number=number,
                    name=f"Step {number}",
                    started_at=now,
                    due_at=now + dt.timedelta(days=number),
                    completed_at=None if is_open else now,
                )
            )
    CaseStep.objects.bulk_create(steps)
    plan = _plan(
        CaseStep.objects.filter(
            completed_at__isnull=True, due_at__isnull=False, due_at__lte=now + dt.timedelta(days=2)
        )
    )
    assert "open_step_due" in plan, plan
    assert "Seq Scan on escalation_casestep" not in plan, plan


def test_the_boards_case_list_newest_first_reads_the_partnership_index(oscb, presets):
    """Board staff of one partnership among many: their page of 50, newest first, is read in
    the index's order and stops there, rather than sorting every case."""
    from agencies.enums import Role
    from escalation.queries.oversight import board_case_list

    _cases(oscb)
    other = preset_world(presets, "sab-adults")
    _cases(other, count=3000, prefix="OTH")
    board = oscb.person("board", Role.BOARD_STAFF)
    plan = _plan(board_case_list(user=board).order_by("-raised_at", "-pk")[:50])
    assert "case_partnership_newest" in plan, plan
    assert not re.search(r"Seq Scan on escalation_case\b", plan), plan
