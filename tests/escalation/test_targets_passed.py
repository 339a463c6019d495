"""A step 0 target ends when met or when the case moves on past step 1 (passed): after that
it is overdue nowhere, on the case page, the overdue page, in the sweep or in the report."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from agencies.enums import Role
from escalation.domain import case_escalate
from escalation.enums import StepOutcome
from escalation.models import Case, CaseStep
from escalation.queries.case_page import case_timeline
from notifications.models import OutboxMessage
from notifications.sweep import deadline_sweep
from reports.report import build_report
from reports.selectors import ReportFilters, report_overdue_by_step

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=LONDON)


# OSCB, England: the "initial attempt" target and step 1 are both due 17:00 Mon 7 Dec.
RAISED = at(2026, 11, 30)
ON_TIME = at(2026, 12, 4)  # escalated Fri 4 Dec: step 2 due 17:00 Fri 11 Dec
LATE = at(2026, 12, 9)  # escalated Wed 9 Dec, after step 1 and its target fell due
TUE_8_DEC = at(2026, 12, 8, 11)  # the target would be overdue by a working day if still open


def raise_at(world, when: dt.datetime) -> Case:
    with time_machine.travel(when, tick=False):
        return world.raise_case()


def escalate_at(world, case: Case, when: dt.datetime) -> Case:
    with time_machine.travel(when, tick=False):
        return case_escalate(
            case=case,
            by=world.any_actor(case),
            reason="Not resolved",
            expected_version=case.version,
        )


def target_of(case: Case) -> CaseStep:
    return CaseStep.objects.get(case=case, is_target=True)


def overdue_rows(world, now: dt.datetime) -> list[tuple[str, int, int]]:
    rows = report_overdue_by_step(partnership=world.partnership, filters=ReportFilters(), now=now)
    return [(r.label, r.steps, r.overdue) for r in rows]


def test_moving_on_past_step_1_passes_the_open_target(oscb):
    case = escalate_at(oscb, raise_at(oscb, RAISED), ON_TIME)
    target = target_of(case)
    assert target.outcome == StepOutcome.PASSED
    assert target.completed_at == ON_TIME
    assert target.outcome_reason == "the case moved on past step 1"


def test_a_passed_target_is_not_overdue_on_the_case_page(client, oscb):
    case = escalate_at(oscb, raise_at(oscb, RAISED), ON_TIME)
    timeline = case_timeline(case=case, now=TUE_8_DEC)
    target = next(entry for entry in timeline if entry.is_target)
    assert (target.overdue, target.time_left) == (False, "")
    assert target.tag == ("govuk-tag--grey", "Passed: the case moved on")
    with time_machine.travel(TUE_8_DEC, tick=False):
        client.force_login(case.raised_by)
        html = client.get(reverse("escalation:case", args=[case.reference])).content.decode()
    assert "Passed: the case moved on" in html
    assert "Overdue by" not in html


def test_a_case_moved_on_past_its_target_is_not_on_the_overdue_page(client, oscb):
    moved_on = escalate_at(oscb, raise_at(oscb, RAISED), ON_TIME)
    still_at_step_1 = raise_at(oscb, RAISED)
    with time_machine.travel(TUE_8_DEC, tick=False):
        client.force_login(oscb.person("challenging", Role.SAFEGUARDING_LEAD))
        html = client.get(reverse("escalation:overdue")).content.decode()
    assert still_at_step_1.reference in html  # step 1 overdue: listed
    assert moved_on.reference not in html


def test_the_sweep_chases_no_passed_target(oscb):
    case = escalate_at(oscb, raise_at(oscb, RAISED), ON_TIME)
    deadline_sweep(now=TUE_8_DEC)
    assert not OutboxMessage.objects.filter(step=target_of(case)).exists()
    assert not OutboxMessage.objects.filter(case=case, event="step.overdue").exists()


def test_a_case_moved_on_past_its_target_in_time_is_not_overdue_in_the_report(oscb):
    escalate_at(oscb, raise_at(oscb, RAISED), ON_TIME)
    assert overdue_rows(oscb, TUE_8_DEC) == [("Step 1", 1, 0), ("Step 2", 1, 0)]
    report = build_report(partnership=oscb.partnership, filters=ReportFilters(), now=TUE_8_DEC)
    assert report.figure("overdue").shown_rows() == [
        ("Step 1", ["1", "0", "0%"]),
        ("Step 2", ["1", "0", "0%"]),
    ]


def test_the_rate_counts_a_step_and_its_overdue_target_once(oscb):
    # Step 1 escalated late, its target passed late: both went overdue, one step counted.
    escalate_at(oscb, raise_at(oscb, RAISED), LATE)
    # Still at step 1 past its due moment, the target open and overdue beside it.
    raise_at(oscb, RAISED)
    assert overdue_rows(oscb, at(2026, 12, 10, 11)) == [("Step 1", 2, 2), ("Step 2", 1, 0)]


def test_the_migration_passes_targets_left_open_on_cases_that_moved_on(oscb):
    case = escalate_at(oscb, raise_at(oscb, RAISED), ON_TIME)
    waiting = raise_at(oscb, RAISED)
    # As such a case stood before the transitions passed targets.
    CaseStep.objects.filter(case=case, is_target=True).update(completed_at=None, outcome="")
    migration = importlib.import_module(
        "escalation.migrations.0009_pass_targets_the_case_moved_past"
    )
    migration.pass_targets(apps, None)
    passed = target_of(case)
    assert (passed.outcome, passed.completed_at) == (StepOutcome.PASSED, ON_TIME)
    assert target_of(waiting).completed_at is None  # still at step 1: its target runs
