"""Who acts at a step (escalation.queries.steps): the sides in order, their role levels, the
agency each sits in, the person named for it, and what reading them costs."""

from __future__ import annotations

import pytest

from agencies.enums import Role
from escalation.domain import case_escalate, case_reassign
from escalation.enums import Side
from escalation.models import Case, CaseStep
from escalation.queries.steps import step_named_ids, step_sides

pytestmark = pytest.mark.django_db


def _at_the_partnership(world) -> Case:
    case = world.raise_case()
    while case.current_step.partnership_role != Role.STRATEGIC_MANAGER:
        case = case_escalate(
            case=case, by=world.any_actor(case), reason="No", expected_version=case.version
        )
    return Case.objects.get(pk=case.pk)


def test_the_sides_come_in_order_with_their_role_and_agency(ssab):
    case = _at_the_partnership(ssab)  # step 3: the policy lists the partnership first
    sides = step_sides(case.current_step, case=case)
    assert [(s.side, s.role, s.agency_id) for s in sides] == [
        (Side.CHALLENGING, Role.SENIOR_MANAGER, ssab.challenging.pk),
        (Side.RESPONDING, Role.SENIOR_MANAGER, ssab.responding.pk),
        (Side.PARTNERSHIP, Role.STRATEGIC_MANAGER, None),
    ]
    assert [s.agency for s in sides] == [ssab.challenging, ssab.responding, None]


def test_a_side_that_does_not_act_is_left_out(sab):
    case = _at_the_partnership(sab)  # step 4: the partnership alone
    assert [(s.side, s.role) for s in step_sides(case.current_step)] == [
        (Side.PARTNERSHIP, Role.STRATEGIC_MANAGER)
    ]


def test_the_person_named_for_a_side(oscb):
    case = oscb.raise_case()
    colleague = oscb.person("responding", Role.SAFEGUARDING_LEAD)
    case = case_reassign(
        case=case,
        by=oscb.person("responding", Role.LINE_MANAGER),
        side="responding",
        to=colleague,
        reason="On leave",
        expected_version=case.version,
    )
    step = CaseStep.objects.get(pk=case.current_step_id)
    sides = {s.side: s for s in step_sides(step)}
    assert sides[Side.RESPONDING].assignee_id == colleague.pk
    assert sides[Side.RESPONDING].assignee == colleague
    assert sides[Side.CHALLENGING].assignee is None
    assert step_named_ids(step) == {colleague.pk}


def test_reading_the_sides_costs_no_query_when_the_step_and_case_are_held(
    oscb, django_assert_num_queries
):
    case = oscb.raise_case()
    step = CaseStep.objects.get(pk=case.current_step_id)
    with django_assert_num_queries(0):
        sides = step_sides(step, case=case)
        ids = [(s.agency_id, s.assignee_id) for s in sides]
    assert ids == [(oscb.challenging.pk, None), (oscb.responding.pk, None)]
