"""Chasing an overdue step (escalation.domain.step_chase): who may, when, and what it writes.

The case is raised at noon on Monday 23 November 2026 and chased an hour after its first
step fell due, whatever the day the tests run.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from agencies.enums import Role
from agencies.models import Membership
from escalation.domain import case_reassign, step_chase
from escalation.domain.cases import CHASE_WINDOW
from escalation.errors import InvalidInput, InvalidTransition, NotAllowed, StaleCase
from escalation.models import Case, StepChase
from escalation.queries.case_page import case_history
from notifications.enums import Event
from notifications.models import OutboxMessage
from notifications.services import outbox_deliver

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MON_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)


def manage(world, where: str, report_role: str, manager_role: str) -> None:
    """Make `manager_role` of `where` the line manager of its `report_role`."""
    agency = getattr(world, where)
    seat = Membership.objects.get(agency=agency, user=world.person(where, report_role))
    seat.line_manager = Membership.objects.get(
        agency=agency, user=world.person(where, manager_role)
    )
    seat.save()


@pytest.fixture
def overdue(oscb):
    """An OSCB case whose step 1 (both practitioners) is an hour overdue, each practitioner
    with a line manager; the clock stands there for the test."""
    manage(oscb, "challenging", Role.PRACTITIONER, Role.LINE_MANAGER)
    manage(oscb, "responding", Role.PRACTITIONER, Role.LINE_MANAGER)
    with time_machine.travel(MON_NOON, tick=False):
        case = oscb.raise_case()
    due = case.current_step.due_at
    assert due is not None
    with time_machine.travel(due + dt.timedelta(hours=1), tick=False):
        yield case


def chased_rows(case: Case) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(case=case, event=Event.CASE_CHASED))


def test_a_chase_writes_one_row_per_person_who_acts_and_their_manager(oscb, overdue):
    lead = oscb.person("challenging", Role.SAFEGUARDING_LEAD)
    case = step_chase(case=overdue, by=lead, reason="No reply to two e-mails", expected_version=1)
    expected = {
        case.raised_by.pk,
        oscb.person("responding", Role.PRACTITIONER).pk,
        oscb.person("challenging", Role.LINE_MANAGER).pk,
        oscb.person("responding", Role.LINE_MANAGER).pk,
    }
    rows = chased_rows(case)
    assert sorted(r.recipient_id for r in rows) == sorted(expected)
    assert {r.step_id for r in rows} == {case.current_step_id}
    assert case.version == 2
    chase = StepChase.objects.get(case=case)
    assert (chase.by, chase.reason, chase.step_id) == (
        lead,
        "No reply to two e-mails",
        case.current_step_id,
    )


def test_pressed_twice_it_writes_nothing_more(oscb, overdue):
    lead = oscb.person("responding", Role.SAFEGUARDING_LEAD)
    step_chase(case=overdue, by=lead, reason="Please reply", expected_version=1)
    first = len(chased_rows(overdue))
    # The same form posted again (its version is now stale): refused, saying it was chased.
    with pytest.raises(InvalidTransition, match="chased this step at"):
        step_chase(case=overdue, by=lead, reason="Please reply", expected_version=1)
    # A fresh form within the window: refused too.
    with pytest.raises(InvalidTransition, match="can be chased again from"):
        step_chase(case=overdue, by=lead, reason="Please reply", expected_version=2)
    assert first == 4
    assert len(chased_rows(overdue)) == first
    assert StepChase.objects.filter(case=overdue).count() == 1
    assert Case.objects.get(pk=overdue.pk).version == 2


def test_after_the_window_it_may_be_chased_again(oscb, overdue):
    lead = oscb.person("board", Role.BOARD_STAFF)
    step_chase(case=overdue, by=lead, reason="First chase", expected_version=1)
    with time_machine.travel(overdue.current_step.due_at + CHASE_WINDOW + dt.timedelta(hours=2)):
        step_chase(case=overdue, by=lead, reason="Second chase", expected_version=2)
    assert StepChase.objects.filter(case=overdue).count() == 2
    assert len(chased_rows(overdue)) == 8


def test_a_form_left_open_while_the_case_changed_is_stale(oscb, overdue):
    with pytest.raises(StaleCase):
        step_chase(
            case=overdue,
            by=oscb.person("challenging", Role.SAFEGUARDING_LEAD),
            reason="x",
            expected_version=7,
        )
    assert chased_rows(overdue) == []


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("challenging", Role.PRACTITIONER),
        ("responding", Role.PRACTITIONER),
        ("challenging", Role.LINE_MANAGER),
        ("responding", Role.SENIOR_MANAGER),
        ("unrelated", Role.SAFEGUARDING_LEAD),
        ("board", Role.STRATEGIC_MANAGER),
        ("elsewhere", Role.BOARD_STAFF),
        ("elsewhere", Role.SAFEGUARDING_LEAD),
    ],
)
def test_refused_for_those_who_may_not_chase(oscb, overdue, where, role):
    with pytest.raises(NotAllowed, match=f"You cannot chase case {overdue.reference} now"):
        step_chase(case=overdue, by=oscb.person(where, role), reason="x", expected_version=1)
    assert chased_rows(overdue) == []
    assert StepChase.objects.count() == 0


def test_refused_for_a_step_not_overdue(oscb):
    with time_machine.travel(MON_NOON, tick=False):
        case = oscb.raise_case()
        with pytest.raises(InvalidTransition, match="is not overdue: it is due 17:00 on Mon 30"):
            step_chase(
                case=case,
                by=oscb.person("challenging", Role.SAFEGUARDING_LEAD),
                reason="Too slow",
                expected_version=1,
            )
    assert chased_rows(case) == []
    assert Case.objects.get(pk=case.pk).version == 1


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why you are chasing this step"),
        ("   ", "Enter why you are chasing this step"),
        ("x" * 2001, "The reason for chasing must be 2,000 characters or fewer"),
    ],
)
def test_the_reason_is_required_and_limited(oscb, overdue, reason, message):
    with pytest.raises(InvalidInput) as refused:
        step_chase(
            case=overdue,
            by=oscb.person("challenging", Role.SAFEGUARDING_LEAD),
            reason=reason,
            expected_version=1,
        )
    assert (refused.value.message, refused.value.field) == (message, "reason")
    assert chased_rows(overdue) == []
    assert StepChase.objects.count() == 0


def test_the_history_holds_the_chase_and_the_message_names_who_chased(oscb, overdue):
    lead = oscb.person("challenging", Role.SAFEGUARDING_LEAD)
    lead.first_name, lead.last_name = "Dana", "Lead"
    lead.save()
    case = step_chase(case=overdue, by=lead, reason="No reply since Monday", expected_version=1)
    newest = case_history(case=case)[0]
    assert (newest.who, newest.what, newest.change) == (
        "Dana Lead",
        "Case",
        "step 1 chased: No reply since Monday",
    )
    row = next(r for r in chased_rows(case) if r.recipient_id == case.raised_by_id)
    assert outbox_deliver(outbox_id=row.pk) == "sent"
    note = row.recipient.notifications.get(outbox=row)
    assert note.title == f"Chased: case {case.reference}, step 1 is overdue"
    assert note.body.startswith(f"Dana Lead chased step 1 of case {case.reference}")
    assert "No reply since Monday" not in note.body  # the reason stays behind sign-in


def test_a_named_person_is_chased_in_place_of_the_role(oscb, overdue):
    colleague = oscb.person("responding", Role.SENIOR_MANAGER)
    case = case_reassign(
        case=overdue,
        by=oscb.person("responding", Role.LINE_MANAGER),
        side="responding",
        to=colleague,
        reason="The practitioner is on leave",
        expected_version=1,
    )
    step_chase(
        case=case,
        by=oscb.person("board", Role.BOARD_STAFF),
        reason="Overdue",
        expected_version=case.version,
    )
    recipients = {r.recipient_id for r in chased_rows(case)}
    assert colleague.pk in recipients
    assert oscb.person("responding", Role.PRACTITIONER).pk not in recipients


# --- only a person of the acting side names who acts for it ----------------------------------


def test_a_lead_of_one_agency_may_not_name_who_acts_for_the_other(oscb):
    with time_machine.travel(MON_NOON, tick=False):
        case = oscb.raise_case()
        with pytest.raises(InvalidInput) as refused:
            case_reassign(
                case=case,
                by=oscb.person("challenging", Role.SAFEGUARDING_LEAD),
                side="responding",
                to=oscb.person("responding", Role.SENIOR_MANAGER),
                reason="They are slow",
                expected_version=1,
            )
    assert (refused.value.message, refused.value.field) == (
        "Only a person of County Social Care may name who acts for it",
        "side",
    )
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.version, fresh.current_step.responding_assignee) == (1, None)


def test_erasing_the_case_after_its_period_erases_the_chase_reason(oscb, overdue):
    from escalation.domain import case_withdraw
    from retention.services import case_erase

    lead = oscb.person("challenging", Role.SAFEGUARDING_LEAD)
    case = step_chase(case=overdue, by=lead, reason="JD still waits", expected_version=1)
    case = case_withdraw(
        case=case, by=case.raised_by, reason="Agreed", expected_version=case.version
    )
    assert case.closed_at is not None
    erasure = case_erase(case_id=case.pk, now=case.closed_at + dt.timedelta(days=7 * 365))
    assert erasure is not None and erasure.erased["chase_reasons"] == 1
    chase = StepChase.objects.get(case=case)
    assert (chase.reason, chase.by) == ("", lead)
    reasons = list(Case.history.filter(id=case.pk).values_list("history_change_reason", flat=True))
    assert "step 1 chased" in reasons
    assert not any("JD still waits" in (r or "") for r in reasons)
