"""Each transition tells the people who must know, through the same outbox."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from agencies.enums import Role
from escalation.domain import (
    case_agree_resolution,
    case_escalate,
    case_reassign,
    case_resolve,
    case_skip_step,
    case_withdraw,
)
from escalation.domain.base import step_actors as _actors
from escalation.domain.policy_files import preset_files
from escalation.queries.policies import case_route
from notifications.enums import Event
from notifications.models import Notification, OutboxMessage
from notifications.selectors import Recipients
from tests.escalation.world import build_world
from tests.notifications.conftest import deliver_pending

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _monday_noon():
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON), tick=False):
        yield


def told(case, event: str) -> set[str]:
    return set(
        OutboxMessage.objects.filter(case=case, event=event).values_list(
            "recipient__username", flat=True
        )
    )


def names(world, *people: tuple[str, str]) -> set[str]:
    return {world.person(where, role).username for where, role in people}


PRACTITIONERS = (("challenging", Role.PRACTITIONER), ("responding", Role.PRACTITIONER))
LINE_MANAGERS = (("challenging", Role.LINE_MANAGER), ("responding", Role.LINE_MANAGER))


def test_raising_tells_the_other_agencys_professional_and_step_ones_actors(england):
    case = england.raise_case()
    assert told(case, Event.CASE_RAISED) == names(england, *PRACTITIONERS)


def test_escalating_tells_the_next_steps_actors_and_the_last_ones(england):
    case = england.raise_case()
    case = case_escalate(case=case, by=case.raised_by, reason="No", expected_version=1)
    assert told(case, Event.CASE_ESCALATED) == names(england, *PRACTITIONERS, *LINE_MANAGERS)


def test_skipping_tells_the_same_people(england):
    case = england.raise_case(risk_of_significant_harm=True)
    case = case_skip_step(case=case, by=case.raised_by, reason="Risk", expected_version=1)
    assert told(case, Event.CASE_SKIPPED) == names(england, *PRACTITIONERS, *LINE_MANAGERS)


def test_resolving_tells_the_raiser(england):
    case = england.raise_case()
    case = case_escalate(case=case, by=case.raised_by, reason="No", expected_version=1)
    manager = england.person("responding", Role.LINE_MANAGER)
    case = england.write_record(case, by=manager)
    case = case_resolve(case=case, by=manager, learning="x", expected_version=case.version)
    # The challenged side proposes; the raiser is asked to agree, then everyone is told.
    assert case.is_open
    assert told(case, Event.CASE_RESOLUTION_PROPOSED) == names(england, PRACTITIONERS[0])
    case = case_agree_resolution(case=case, by=case.raised_by, expected_version=case.version)
    assert told(case, Event.CASE_RESOLVED) == names(england, *PRACTITIONERS, *LINE_MANAGERS)


def test_withdrawing_tells_the_other_agency_and_the_actors(england):
    case = england.raise_case()
    case = case_withdraw(case=case, by=case.raised_by, reason="Agreed", expected_version=1)
    assert told(case, Event.CASE_WITHDRAWN) == names(england, *PRACTITIONERS)


def test_reassigning_tells_the_person_now_acting(england):
    case = england.raise_case()
    lead = england.person("responding", Role.SAFEGUARDING_LEAD)
    case = case_reassign(
        case=case,
        by=england.person("responding", Role.LINE_MANAGER),
        side="responding",
        to=lead,
        reason="On leave",
        expected_version=1,
    )
    assert told(case, Event.CASE_REASSIGNED) == {lead.username}


def test_a_case_life_reaches_inboxes_and_mailboxes(england):
    case = england.raise_case()
    case = case_escalate(case=case, by=case.raised_by, reason="No", expected_version=1)
    case = case_withdraw(case=case, by=case.raised_by, reason="Agreed", expected_version=2)
    deliver_pending()
    responder = england.person("responding", Role.PRACTITIONER)
    titles = list(
        Notification.objects.filter(recipient=responder)
        .order_by("created_at", "pk")
        .values_list("title", flat=True)
    )
    assert titles == [
        f"New case {case.reference}",
        f"Case {case.reference} escalated to step 2",
        f"Case {case.reference} withdrawn",
    ]
    assert len([m for m in mail.outbox if responder.email in m.to]) == 3


# --- the sweep finds the same actors as the transitions -------------------------------------


# The nation whose calendar each shipped original follows; any other preset runs in England.
ORIGINAL_NATIONS = {
    "oscb-children": "england",
    "ssab-adults": "northern-ireland",
    "4lscb-children": "scotland",
    "sab-adults": "wales",
}


@pytest.mark.parametrize("slug", [file.stem for file in preset_files()])
def test_the_sweeps_recipients_are_the_transitions_actors_at_every_step(presets, slug):
    nation = ORIGINAL_NATIONS.get(slug, "england")
    world = build_world(policy=presets[slug], nation=nation, code="TWN")
    case = world.raise_case()
    compared = 0
    while True:
        for step in case.steps.select_related("case").filter(completed_at__isnull=True):
            expected = {person.pk for person in _actors(case, step)}
            assert set(Recipients([step]).actor_ids(step)) == expected
            compared += 1
        if case_route(case).step_after(case.current_step.number) is None:
            break
        case = case_escalate(
            case=case, by=world.any_actor(case), reason="No", expected_version=case.version
        )
    assert compared >= 4


def test_an_assignee_replaces_the_role_for_the_sweep_too(england):
    case = england.raise_case()
    case = case_escalate(case=case, by=case.raised_by, reason="No", expected_version=1)
    lead = england.person("responding", Role.SAFEGUARDING_LEAD)
    case = case_reassign(
        case=case,
        by=england.person("responding", Role.LINE_MANAGER),
        side="responding",
        to=lead,
        reason="On leave",
        expected_version=2,
    )
    step = case.current_step
    assert step is not None
    assert (
        set(Recipients([step]).actor_ids(step))
        == {p.pk for p in _actors(case, step)}
        == {
            england.person("challenging", Role.LINE_MANAGER).pk,
            lead.pk,
        }
    )
