"""A test per transition, parametrised over the states and people that must be refused."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from agencies.enums import Role
from escalation.domain import (
    case_escalate,
    case_meet_target,
    case_reassign,
    case_resolve,
    case_skip_step,
    case_withdraw,
    step_record_outcome,
    step_set_due,
)
from escalation.enums import CaseStatus, DueSetBy, StepOutcome
from escalation.errors import InvalidInput, InvalidTransition, NotAllowed, StaleCase
from escalation.models import Case, CaseStep, Learning
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MON_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _monday_noon():
    with time_machine.travel(MON_NOON, tick=False):
        yield


def withdrawn(world, case):
    return case_withdraw(
        case=case, by=case.raised_by, reason="Agreed informally", expected_version=case.version
    )


def resolved(world, case):
    return world.resolve(case, learning="Share thresholds")


CLOSERS = {"withdrawn": withdrawn, "resolved": resolved}


# --- raise ------------------------------------------------------------------------------


def test_raise_opens_case_at_step_one_with_target_and_outbox(oscb):
    case = oscb.raise_case()

    assert case.reference == "OXF-2026-0001"
    assert case.status == CaseStatus.OPEN
    assert case.version == 1
    steps = list(case.steps.order_by("number"))
    assert [s.number for s in steps] == [0, 1]
    assert steps[0].is_target and not steps[1].is_target
    assert case.current_step == steps[1]
    # Both clocks start at the raising: Mon 23 Nov noon, 5 working days -> Mon 30 Nov 17:00.
    assert steps[1].started_at == MON_NOON
    assert steps[1].due_at == dt.datetime(2026, 11, 30, 17, 0, tzinfo=LONDON)
    assert "5 working days" in steps[1].due_explanation
    recipients = set(
        OutboxMessage.objects.filter(case=case).values_list("recipient__username", flat=True)
    )
    assert oscb.person("responding", Role.PRACTITIONER).username in recipients
    assert case.history.count() >= 1


def test_references_count_up_per_partnership(oscb):
    first = oscb.raise_case()
    second = oscb.raise_case()
    assert (first.reference, second.reference) == ("OXF-2026-0001", "OXF-2026-0002")


def test_raise_with_an_earlier_due_moment(oscb):
    earlier = dt.datetime(2026, 11, 25, 17, 0, tzinfo=LONDON)
    case = oscb.raise_case(due_at=earlier)
    step = case.current_step
    assert step.due_at == earlier
    assert step.due_set_by == DueSetBy.EARLIER
    assert "Set earlier" in step.due_explanation


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "not-a-category"}, "category"),
        ({"subject_initials": "J0"}, "subject_initials"),
        ({"subject_initials": ""}, "subject_initials"),
        ({"subject_age_band": "200"}, "subject_age_band"),
        ({"subject_kind": "adult"}, "subject_kind"),
        ({"disagreement": "   "}, "disagreement"),
        ({"impact": ""}, "impact"),
        ({"responding_professional": ""}, "responding_professional"),
        ({"route": "no-such-route"}, "route"),
        ({"route_details": {"unasked": "x"}}, "unasked"),
        ({"due_at": dt.datetime(2027, 1, 30, 17, 0, tzinfo=LONDON)}, "due_at"),
        ({"responding_professional": "x" * 201}, "responding_professional"),
        ({"challenging_record_number": "9" * 51}, "challenging_record_number"),
        ({"responding_record_number": "9" * 51}, "responding_record_number"),
    ],
)
def test_raise_refuses_bad_input_and_saves_nothing(oscb, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        oscb.raise_case(**overrides)
    assert refused.value.field == field
    assert str(refused.value)
    assert Case.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_raise_refuses_the_same_agency(oscb):
    with pytest.raises(InvalidInput, match="between agencies"):
        oscb.raise_case(responding_agency=oscb.challenging)
    assert Case.objects.count() == 0


def test_raise_refuses_the_board_as_the_agency_disagreed_with(oscb):
    with pytest.raises(InvalidInput, match="not a party") as refused:
        oscb.raise_case(responding_agency=oscb.board)
    assert refused.value.field == "responding_agency"
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("where", "role"),
    [("unrelated", Role.PRACTITIONER), ("challenging", Role.LINE_MANAGER)],
)
def test_raise_refuses_a_professional_of_another_agency(oscb, where, role):
    with pytest.raises(InvalidInput, match="does not work for County Social Care") as refused:
        oscb.raise_case(responding_person=oscb.person(where, role))
    assert refused.value.field == "responding_person"
    assert Case.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_raise_writes_one_history_row_naming_the_raiser_and_the_step(oscb):
    case = oscb.raise_case()
    rows = list(case.history.all())
    assert [(r.history_change_reason, r.history_user) for r in rows] == [("raised", case.raised_by)]
    assert rows[0].current_step_id == case.current_step_id
    step_rows = list(case.current_step.history.all())
    assert [(r.history_change_reason, r.history_user) for r in step_rows] == [
        ("step 1 started", case.raised_by)
    ]


def test_transitions_outside_a_request_name_who_made_them_in_the_history(oscb):
    case = oscb.raise_case()
    by = case.raised_by
    case = case_escalate(case=case, by=by, reason="No agreement", expected_version=case.version)
    latest = case.history.order_by("-history_id").first()
    assert latest.history_change_reason == "step 1 escalated: No agreement"
    assert latest.history_user == by
    step_two = case.current_step.history.get()
    assert (step_two.history_change_reason, step_two.history_user) == ("step 2 started", by)


def test_raise_refuses_an_agency_of_another_partnership(oscb):
    elsewhere = oscb.person("elsewhere", Role.PRACTITIONER).memberships.get().agency
    with pytest.raises(InvalidInput, match="in your partnership"):
        oscb.raise_case(responding_agency=elsewhere)
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("responding", Role.PRACTITIONER),
        ("unrelated", Role.PRACTITIONER),
        ("board", Role.BOARD_STAFF),
        ("elsewhere", Role.PRACTITIONER),
    ],
)
def test_raise_refuses_people_outside_the_challenging_agency(oscb, where, role):
    with pytest.raises(NotAllowed):
        oscb.raise_case(by=oscb.person(where, role))
    assert Case.objects.count() == 0


def test_raise_needs_an_adopted_policy(oscb):
    oscb.partnership.adopted_policy = None
    oscb.partnership.save()
    with pytest.raises(InvalidTransition, match="has not adopted"):
        oscb.raise_case()


# --- record outcome -------------------------------------------------------------------------


RECORD = {
    "concerns": "Referral closed with no assessment",
    "thoughts-and-feelings": "Worried",
    "impact": "Child unsupported",
    "ways-forward": "Joint visit",
    "agreed-actions": "Visit by Friday; tell the school",
}


def test_record_outcome_writes_the_step_record(oscb):
    case = oscb.raise_case()
    case = step_record_outcome(
        case=case, by=case.raised_by, record=RECORD, meeting_held=True, expected_version=1
    )
    step = CaseStep.objects.get(pk=case.current_step_id)
    assert step.record["agreed-actions"] == "Visit by Friday; tell the school"
    assert step.meeting_held is True
    assert step.recorded_by == case.raised_by
    assert case.version == 2


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"ways_forward": "Joint visit"}, "has no record field 'ways_forward'"),
        ({"concerns": "x" * 20_001}, "must be 20000 characters or fewer"),
    ],
)
def test_record_outcome_takes_only_the_fields_of_the_steps_section(oscb, record, message):
    case = oscb.raise_case()
    with pytest.raises(InvalidInput, match=message):
        step_record_outcome(
            case=case, by=case.raised_by, record=record, meeting_held=False, expected_version=1
        )
    assert CaseStep.objects.get(pk=case.current_step_id).record == {}
    assert Case.objects.get(pk=case.pk).version == 1


def test_record_outcome_refuses_a_typed_signature(ssab):
    case = ssab.raise_case()
    by = ssab.any_actor(case)
    with pytest.raises(InvalidInput, match="is not typed: Resolve records who confirmed"):
        step_record_outcome(
            case=case,
            by=by,
            record={"summary": "Both views heard.", "signature": "Typed By Hand"},
            meeting_held=True,
            expected_version=1,
        )
    assert CaseStep.objects.get(pk=case.current_step_id).record == {}


def test_record_outcome_refuses_an_empty_record(oscb):
    case = oscb.raise_case()
    with pytest.raises(InvalidInput, match="Write the record"):
        step_record_outcome(
            case=case,
            by=case.raised_by,
            record={"concerns": " "},
            meeting_held=False,
            expected_version=1,
        )
    assert Case.objects.get(pk=case.pk).version == 1


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("unrelated", Role.PRACTITIONER),
        ("elsewhere", Role.LINE_MANAGER),
        ("board", Role.BOARD_STAFF),
    ],
)
def test_record_outcome_refuses_people_not_acting(oscb, where, role):
    case = oscb.raise_case()
    with pytest.raises(NotAllowed):
        step_record_outcome(
            case=case,
            by=oscb.person(where, role),
            record=RECORD,
            meeting_held=True,
            expected_version=1,
        )
    assert CaseStep.objects.get(pk=case.current_step_id).record == {}


# --- escalate -------------------------------------------------------------------------------


def test_escalate_moves_to_the_next_step_with_its_deadline(oscb):
    case = oscb.raise_case()
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON), tick=False):
        case = case_escalate(
            case=case,
            by=oscb.actor(case, "responding"),
            reason="Still disagree",
            expected_version=1,
        )
    assert case.current_step.number == 2
    assert case.version == 2
    first = case.steps.get(number=1)
    assert first.outcome == StepOutcome.ESCALATED
    assert first.outcome_reason == "Still disagree"
    # Wed 25 Nov 10:00 + 5 working days -> Wed 2 Dec 17:00.
    assert case.current_step.due_at == dt.datetime(2026, 12, 2, 17, 0, tzinfo=LONDON)
    assert case.current_step.started_at == dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
    assert OutboxMessage.objects.filter(case=case, event="case.escalated").exists()
    assert case.history.first().history_change_reason.startswith("step 1 escalated")


@pytest.mark.parametrize("closed", ["withdrawn", "resolved"])
def test_escalate_refuses_closed_cases(oscb, closed):
    case = CLOSERS[closed](oscb, oscb.raise_case())
    with pytest.raises(InvalidTransition, match=closed):
        case_escalate(case=case, by=case.raised_by, reason="x", expected_version=case.version)


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("unrelated", Role.LINE_MANAGER),
        ("responding", Role.SENIOR_MANAGER),
        ("elsewhere", Role.PRACTITIONER),
        ("board", Role.PARTNERSHIP_ADMIN),
    ],
)
def test_escalate_refuses_people_not_acting_at_the_step(oscb, where, role):
    case = oscb.raise_case()
    with pytest.raises(NotAllowed):
        case_escalate(case=case, by=oscb.person(where, role), reason="x", expected_version=1)
    assert Case.objects.get(pk=case.pk).current_step.number == 1


def test_escalate_refuses_a_stale_form(oscb):
    case = oscb.raise_case()
    step_record_outcome(
        case=case, by=case.raised_by, record=RECORD, meeting_held=True, expected_version=1
    )
    with pytest.raises(StaleCase, match="changed since you opened it"):
        case_escalate(case=case, by=case.raised_by, reason="x", expected_version=1)
    assert Case.objects.get(pk=case.pk).current_step.number == 1


def test_escalate_needs_a_reason(oscb):
    case = oscb.raise_case()
    with pytest.raises(InvalidInput):
        case_escalate(case=case, by=case.raised_by, reason="", expected_version=1)


def test_escalate_refuses_the_last_step(oscb):
    case = oscb.raise_case()
    while True:
        actor = oscb.any_actor(case)
        if not actor.has_perm("escalation.escalate_case", case):
            break
        case = case_escalate(case=case, by=actor, reason="No", expected_version=case.version)
    assert case.current_step.number == 5
    with pytest.raises(InvalidTransition, match="last step"):
        case_escalate(
            case=case, by=oscb.any_actor(case), reason="No", expected_version=case.version
        )


# --- skip -----------------------------------------------------------------------------------


def test_skip_when_risk_and_the_step_allows_it(ssab):
    case = ssab.raise_case(risk_of_significant_harm=True)
    assert case.current_step.number == 1
    case = case_skip_step(
        case=case, by=ssab.any_actor(case), reason="Adult at risk tonight", expected_version=1
    )
    assert case.current_step.number == 2
    assert case.steps.get(number=1).outcome == StepOutcome.SKIPPED
    assert OutboxMessage.objects.filter(case=case, event="case.skipped").exists()


def test_skip_refused_without_risk(ssab):
    case = ssab.raise_case(risk_of_significant_harm=False)
    with pytest.raises(InvalidTransition, match="risk of significant harm"):
        case_skip_step(case=case, by=ssab.any_actor(case), reason="x", expected_version=1)
    assert Case.objects.get(pk=case.pk).current_step.number == 1


def test_skip_refused_where_the_policy_does_not_allow_it(ssab):
    case = ssab.raise_case(risk_of_significant_harm=True)
    case = case_skip_step(case=case, by=ssab.any_actor(case), reason="risk", expected_version=1)
    case = case_skip_step(case=case, by=ssab.any_actor(case), reason="risk", expected_version=2)
    assert case.current_step.number == 3
    with pytest.raises(InvalidTransition, match="does not let"):
        case_skip_step(case=case, by=ssab.any_actor(case), reason="x", expected_version=3)


def test_skip_needs_a_reason(ssab):
    case = ssab.raise_case(risk_of_significant_harm=True)
    with pytest.raises(InvalidInput):
        case_skip_step(case=case, by=ssab.any_actor(case), reason=" ", expected_version=1)


# --- resolve --------------------------------------------------------------------------------


def test_resolve_records_learning_and_closes(oscb):
    case = oscb.write_record(oscb.raise_case(), by=None)
    case = case_resolve(
        case=case,
        by=case.raised_by,
        learning="Thresholds guidance unclear on neglect",
        themes=["threshold guidance", "training", " "],
        debrief_recommended=True,
        expected_version=case.version,
    )
    assert case.status == CaseStatus.RESOLVED
    assert case.closed_at is not None
    learning = Learning.objects.get(case=case)
    assert learning.themes == ["threshold guidance", "training"]
    assert learning.debrief_recommended is True
    assert case.steps.get(number=1).outcome == StepOutcome.RESOLVED
    assert case.steps.get(number=0).completed_at is not None
    assert OutboxMessage.objects.filter(
        case=case, event="case.resolved", recipient=case.raised_by
    ).exists()


@pytest.mark.parametrize("closed", ["withdrawn", "resolved"])
def test_resolve_refuses_closed_cases(oscb, closed):
    case = CLOSERS[closed](oscb, oscb.raise_case())
    with pytest.raises(InvalidTransition):
        case_resolve(case=case, by=case.raised_by, learning="x", expected_version=case.version)
    assert Learning.objects.filter(case=case).count() == (1 if closed == "resolved" else 0)


@pytest.mark.parametrize(
    ("where", "role"), [("unrelated", Role.SAFEGUARDING_LEAD), ("elsewhere", Role.PRACTITIONER)]
)
def test_resolve_refuses_people_not_acting(oscb, where, role):
    case = oscb.raise_case()
    with pytest.raises(NotAllowed):
        case_resolve(case=case, by=oscb.person(where, role), learning="x", expected_version=1)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_resolve_needs_learning(oscb):
    case = oscb.write_record(oscb.raise_case())
    with pytest.raises(InvalidInput):
        case_resolve(case=case, by=case.raised_by, learning="", expected_version=case.version)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


# --- withdraw -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.LINE_MANAGER, Role.SAFEGUARDING_LEAD])
def test_withdraw_by_the_challenging_side(oscb, role):
    case = oscb.raise_case()
    case = case_withdraw(
        case=case,
        by=oscb.person("challenging", role),
        reason="Resolved outside",
        expected_version=1,
    )
    assert case.status == CaseStatus.WITHDRAWN
    assert case.closed_reason == "Resolved outside"
    assert case.steps.get(number=1).outcome == StepOutcome.WITHDRAWN
    assert OutboxMessage.objects.filter(case=case, event="case.withdrawn").exists()


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("responding", Role.PRACTITIONER),
        ("responding", Role.LINE_MANAGER),
        ("board", Role.BOARD_STAFF),
    ],
)
def test_withdraw_refuses_others(oscb, where, role):
    case = oscb.raise_case()
    with pytest.raises(NotAllowed):
        case_withdraw(case=case, by=oscb.person(where, role), reason="x", expected_version=1)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


@pytest.mark.parametrize("closed", ["withdrawn", "resolved"])
def test_withdraw_refuses_closed_cases(oscb, closed):
    case = CLOSERS[closed](oscb, oscb.raise_case())
    with pytest.raises(InvalidTransition):
        case_withdraw(case=case, by=case.raised_by, reason="x", expected_version=case.version)


def test_withdraw_needs_a_reason(oscb):
    case = oscb.raise_case()
    with pytest.raises(InvalidInput):
        case_withdraw(case=case, by=case.raised_by, reason="", expected_version=1)


# --- reassign -------------------------------------------------------------------------------


def test_reassign_names_who_acts(oscb):
    case = oscb.raise_case()
    colleague = oscb.person("responding", Role.SAFEGUARDING_LEAD)
    case = case_reassign(
        case=case,
        by=oscb.person("responding", Role.LINE_MANAGER),
        side="responding",
        to=colleague,
        reason="On leave",
        expected_version=1,
    )
    assert case.current_step.responding_assignee == colleague
    assert colleague.has_perm("escalation.record_outcome", case)
    assert OutboxMessage.objects.filter(
        case=case, event="case.reassigned", recipient=colleague
    ).exists()


def test_reassign_refuses_a_person_of_another_agency(oscb):
    case = oscb.raise_case()
    with pytest.raises(InvalidInput, match="must work in the agency"):
        case_reassign(
            case=case,
            by=oscb.person("responding", Role.LINE_MANAGER),
            side="responding",
            to=oscb.person("unrelated", Role.PRACTITIONER),
            reason="x",
            expected_version=1,
        )
    assert Case.objects.get(pk=case.pk).current_step.responding_assignee is None


@pytest.mark.parametrize(
    ("where", "role"), [("unrelated", Role.LINE_MANAGER), ("board", Role.BOARD_STAFF)]
)
def test_reassign_refuses_others(oscb, where, role):
    case = oscb.raise_case()
    with pytest.raises(NotAllowed):
        case_reassign(
            case=case,
            by=oscb.person(where, role),
            side="responding",
            to=oscb.person("responding", Role.SAFEGUARDING_LEAD),
            reason="x",
            expected_version=1,
        )


# --- due moments and the step 0 target ---------------------------------------------------------


def test_set_due_earlier_needs_no_reason(oscb):
    case = oscb.raise_case()
    earlier = dt.datetime(2026, 11, 24, 17, 0, tzinfo=LONDON)
    case = step_set_due(case=case, by=case.raised_by, due_at=earlier, expected_version=1)
    assert case.current_step.due_at == earlier
    assert case.current_step.due_set_by == DueSetBy.EARLIER


def test_set_due_later_needs_a_reason(oscb):
    case = oscb.raise_case()
    later = dt.datetime(2026, 12, 4, 17, 0, tzinfo=LONDON)
    with pytest.raises(InvalidInput, match="reason"):
        step_set_due(case=case, by=case.raised_by, due_at=later, expected_version=1)
    case = step_set_due(
        case=case, by=case.raised_by, due_at=later, reason="Manager on leave", expected_version=1
    )
    assert case.current_step.due_at == later
    assert case.current_step.due_set_by == DueSetBy.LATER
    assert "Manager on leave" in case.current_step.due_explanation


def test_set_due_refuses_the_past(oscb):
    case = oscb.raise_case()
    with pytest.raises(InvalidInput, match="future"):
        step_set_due(
            case=case,
            by=case.raised_by,
            due_at=dt.datetime(2026, 11, 20, 17, 0, tzinfo=LONDON),
            reason="x",
            expected_version=1,
        )


def test_meet_target_closes_step_zero(oscb):
    case = oscb.raise_case()
    case = case_meet_target(case=case, by=case.raised_by, expected_version=1)
    assert case.steps.get(number=0).outcome == StepOutcome.MET
    with pytest.raises(InvalidTransition):
        case_meet_target(case=case, by=case.raised_by, expected_version=case.version)


# --- policy versions --------------------------------------------------------------------------


def test_a_case_keeps_the_policy_version_it_started_on(oscb):
    from escalation.domain.policies import policy_copy_to_draft, policy_publish

    old = oscb.raise_case()
    admin = oscb.person("board", Role.PARTNERSHIP_ADMIN)
    draft = policy_copy_to_draft(
        policy=oscb.partnership.adopted_policy, partnership=oscb.partnership, by=admin
    )
    draft.document["routes"][0]["steps"][1]["name"] = "Renamed step one"
    draft.save()
    published = policy_publish(version=draft, by=admin)
    oscb.partnership.adopted_policy = published.policy
    oscb.partnership.save()

    new = oscb.raise_case()
    assert new.policy_version == published
    assert new.current_step.name == "Renamed step one"
    old.refresh_from_db()
    assert old.policy_version != published
    assert old.current_step.name != "Renamed step one"


def test_a_long_reason_is_kept_whole_in_the_history(oscb):
    reason = "The referral was closed without an assessment; " * 12  # about 560 characters
    case = oscb.raise_case()
    case = case_escalate(case=case, by=case.raised_by, reason=reason, expected_version=1)
    case = case_withdraw(case=case, by=case.raised_by, reason=reason, expected_version=2)
    reasons = list(
        case.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons == [
        "raised",
        f"step 1 escalated: {reason.strip()}",
        f"withdrawn: {reason.strip()}",
    ]


def test_a_4lscb_case_about_a_care_experienced_young_person_is_refused(lscb):
    """Only Oxfordshire extends to care-experienced young people up to 25 (its `subjects`);
    the 4LSCB policy is about children, so such a case is refused and nothing is saved."""
    with pytest.raises(InvalidInput) as refused:
        lscb.raise_case(subject_kind="young_person", subject_age_band="18-25")
    assert refused.value.field == "subject_kind"
    assert refused.value.message == (
        "A case under 4LSCB Resolving Professional Disagreements is about a child: choose who "
        "the disagreement is about"
    )
    assert Case.objects.count() == 0


def test_an_oscb_case_may_be_about_a_care_experienced_young_person(oscb):
    case = oscb.raise_case(subject_kind="young_person", subject_age_band="18-25")
    assert case.subject_kind == "young_person"
