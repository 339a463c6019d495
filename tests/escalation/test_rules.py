"""The permission predicates, and the selectors that must hide exactly what they hide."""

from __future__ import annotations

import pytest

from agencies.enums import Role
from escalation.domain import case_escalate
from escalation.domain.policy_files import preset_files
from escalation.models import Case
from escalation.queries.cases import case_get_for_user, case_list_for_user
from tests.escalation.world import preset_world

pytestmark = pytest.mark.django_db


def _everyone(world):
    return list(world.people.values())


def _cases_at_every_stage(world):
    """An open case at step 1, one escalated to the top, one resolved."""
    at_one = world.raise_case()
    top = world.raise_case(subject_initials="AB")
    while world.any_actor(top).has_perm("escalation.escalate_case", top):
        top = case_escalate(
            case=top, by=world.any_actor(top), reason="No", expected_version=top.version
        )
    done = world.raise_case(subject_initials="CD")
    done = world.resolve(done, learning="Talk sooner")
    return [at_one, top, done]


@pytest.mark.parametrize("slug", [file.stem for file in preset_files()])
def test_predicate_and_selector_agree_for_every_person_and_case(slug, presets):
    world = preset_world(presets, slug)
    cases = _cases_at_every_stage(world)
    for person in _everyone(world):
        listed = set(case_list_for_user(user=person).values_list("pk", flat=True))
        for case in cases:
            fresh = Case.objects.get(pk=case.pk)
            assert person.has_perm("escalation.view_case", fresh) == (case.pk in listed), (
                person.username,
                case.reference,
            )


def test_parties_see_and_others_do_not(oscb):
    case = oscb.raise_case()
    for role in (Role.PRACTITIONER, Role.LINE_MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD):
        assert oscb.person("challenging", role).has_perm("escalation.view_case", case)
        assert oscb.person("responding", role).has_perm("escalation.view_case", case)
        assert not oscb.person("unrelated", role).has_perm("escalation.view_case", case)
        assert not oscb.person("elsewhere", role).has_perm("escalation.view_case", case)
    assert oscb.person("board", Role.BOARD_STAFF).has_perm("escalation.view_case", case)
    assert not oscb.person("elsewhere", Role.BOARD_STAFF).has_perm("escalation.view_case", case)
    assert not oscb.person("board", Role.PARTNERSHIP_ADMIN).has_perm("escalation.view_case", case)


def test_unrelated_person_gets_does_not_exist(oscb):
    case = oscb.raise_case()
    with pytest.raises(Case.DoesNotExist):
        case_get_for_user(
            user=oscb.person("unrelated", Role.SAFEGUARDING_LEAD), reference=case.reference
        )
    found = case_get_for_user(
        user=oscb.person("responding", Role.PRACTITIONER), reference=case.reference
    )
    assert found.pk == case.pk


def test_strategic_manager_sees_a_case_once_it_reaches_their_step(ssab):
    manager = ssab.person("board", Role.STRATEGIC_MANAGER)
    case = ssab.raise_case()
    assert not manager.has_perm("escalation.view_case", case)
    while case.current_step.partnership_role != Role.STRATEGIC_MANAGER:
        case = case_escalate(
            case=case, by=ssab.any_actor(case), reason="No", expected_version=case.version
        )
    fresh = Case.objects.get(pk=case.pk)
    assert manager.has_perm("escalation.view_case", fresh)
    assert case_list_for_user(user=manager).filter(pk=case.pk).exists()


def test_action_permissions_follow_the_current_step(oscb):
    case = oscb.raise_case()
    raiser = case.raised_by
    assert raiser.has_perm("escalation.record_outcome", case)
    assert raiser.has_perm("escalation.escalate_case", case)
    assert raiser.has_perm("escalation.withdraw_case", case)
    assert not raiser.has_perm("escalation.skip_step", case)  # no risk flagged
    responding_senior = oscb.person("responding", Role.SENIOR_MANAGER)
    assert responding_senior.has_perm("escalation.view_case", case)
    assert not responding_senior.has_perm("escalation.record_outcome", case)
    assert not responding_senior.has_perm("escalation.withdraw_case", case)
