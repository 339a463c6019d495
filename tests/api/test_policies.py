"""The policies through the API: the presets and the partnership's adopted policy, one
policy's steps with their deadline rules, and the timeline preview (the same computation as
the page and `manage.py policy_timeline`), with bad parameters refused field by field."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from agencies.enums import Role
from agencies.models import Membership
from escalation.domain.policies import policy_copy_to_draft, policy_publish
from tests.api.calls import api, problem
from tests.escalation.world import build_world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
RAISED = "2026-12-23T15:00"  # a Wednesday in England, before Christmas


def timeline(client: Client, **query: str) -> Any:
    return client.get(reverse("api:policy_timeline", args=["oscb-children"]), query)


# --- the list and one policy -----------------------------------------------------------------


def test_the_list_has_every_preset_and_marks_the_adopted_one(oscb, presets):
    # Policies are not case data: a practitioner of an agency party to no case reads them.
    response = api(oscb.person("unrelated", Role.PRACTITIONER)).get(reverse("api:policies"))
    assert response.status_code == 200
    body = response.json()
    assert sorted(p["slug"] for p in body) == sorted(presets)
    oscb_policy = next(p for p in body if p["slug"] == "oscb-children")
    assert oscb_policy["adopted"] is True
    assert oscb_policy["owner"] is None  # a preset
    assert oscb_policy["version"] == presets["oscb-children"].versions.get().number
    assert oscb_policy["name"] == "Oxfordshire Resolving Professional Concerns and Disagreements"
    assert [r["slug"] for r in oscb_policy["routes"]] == ["standard", "conference-dissent"]
    standard = oscb_policy["routes"][0]
    assert [s["number"] for s in standard["steps"]] == [0, 1, 2, 3, 4, 5]
    assert [s["target"] for s in standard["steps"]] == [True] + [False] * 5
    assert standard["steps"][1]["name"] == (
        "Step 1 - Challenging professional with their peer in the other agency"
    )
    assert [p["adopted"] for p in body if p["slug"] != "oscb-children"] == [False] * (
        len(presets) - 1
    )


def test_a_policy_has_each_steps_actors_and_deadline_rules(oscb):
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    response = client.get(reverse("api:policy", args=["oscb-children"]))
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "oscb-children" and body["adopted"] is True
    assert body["categories"] and all(c["slug"] and c["name"] for c in body["categories"])
    steps = body["routes"][0]["steps"]
    one = steps[1]
    assert one["deadline"] == {
        "kind": "working_days",
        "amount": 5,
        "counted_from": "step_start",
        "in_words": "5 working days from the start of the step",
    }
    assert one["deadline_when_risk"] == one["deadline"]
    assert [(a["side"], a["role"]) for a in steps[3]["actors"]] == [
        ("responding", "senior_manager"),
        ("challenging", "safeguarding_lead"),
    ]
    assert [(a["side"], a["role"]) for a in steps[5]["actors"]] == [
        ("partnership", "strategic_manager")
    ]


def test_an_unknown_policy_is_404_for_each_address(oscb):
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    for name in ("api:policy", "api:policy_timeline"):
        body = problem(client.get(reverse(name, args=["no-such-policy"])), 404)
        assert body["detail"] == "No such policy."


def test_another_partnerships_own_policy_is_404_and_not_listed(oscb, presets):
    admin = oscb.person("elsewhere", Role.PARTNERSHIP_ADMIN)
    elsewhere = Membership.objects.get(user=admin).agency.partnership
    draft = policy_copy_to_draft(policy=presets["oscb-children"], partnership=elsewhere, by=admin)
    policy_publish(version=draft, by=admin)
    slug = draft.policy.slug
    client = api(oscb.person("board", Role.BOARD_STAFF))
    for name in ("api:policy", "api:policy_timeline"):
        problem(client.get(reverse(name, args=[slug])), 404)
    assert slug not in [p["slug"] for p in client.get(reverse("api:policies")).json()]
    # Their own people read it, as their partnership's own.
    theirs = api(oscb.person("elsewhere", Role.BOARD_STAFF))
    body = theirs.get(reverse("api:policy", args=[slug])).json()
    assert body["owner"] == elsewhere.name and body["adopted"] is False


def test_a_person_of_no_partnership_is_refused_with_403(oscb):
    client = api(UserFactory(username="nobody-anywhere"))
    for url in (
        reverse("api:policies"),
        reverse("api:policy", args=["oscb-children"]),
        reverse("api:policy_timeline", args=["oscb-children"]),
    ):
        body = problem(client.get(url), 403)
        assert body["detail"] == "Only people who work in a partnership can read its policies."


def test_signed_out_gets_401(client, oscb):
    for url in (
        reverse("api:policies"),
        reverse("api:policy", args=["oscb-children"]),
        reverse("api:policy_timeline", args=["oscb-children"]),
    ):
        problem(client.get(url), 401)


# --- the timeline preview --------------------------------------------------------------------


def test_the_timeline_counts_the_nations_bank_holidays(oscb):
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    response = timeline(client, nation="england", start=RAISED)
    assert response.status_code == 200
    body = response.json()
    assert body["policy"] == "oscb-children" and body["route"]["slug"] == "standard"
    assert body["nation"] == "england" and body["nation_name"] == "England"
    assert body["risk"] is False
    assert body["start"] == "2026-12-23T15:00:00Z"
    assert [(s["number"], s["due"]) for s in body["steps"]] == [
        (0, "2027-01-04T17:00:00Z"),
        (1, "2027-01-04T17:00:00Z"),
        (2, "2027-01-12T17:00:00Z"),
        (3, "2027-01-20T17:00:00Z"),
        (4, "2027-01-28T17:00:00Z"),
        (5, "2027-02-05T17:00:00Z"),
    ]
    assert body["steps"][2]["starts"] == "2027-01-04T17:00:00Z"
    assert "Boxing Day (substitute day)" in body["steps"][1]["explanation"]
    # Scotland keeps 2 January too (a Saturday in 2027: Monday 4 January instead).
    scotland = timeline(client, nation="scotland", start=RAISED).json()
    assert scotland["steps"][1]["due"] == "2027-01-05T17:00:00Z"


def test_the_timeline_of_the_other_route_with_risk(oscb):
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    body = timeline(
        client, nation="england", start="2026-12-23", route="conference-dissent", risk="true"
    ).json()
    assert body["route"]["slug"] == "conference-dissent" and body["risk"] is True
    assert body["start"] == "2026-12-23T00:00:00Z"  # a date alone is midnight, UK time
    assert [s["number"] for s in body["steps"]] == [
        s["number"]
        for s in api(oscb.person("challenging", Role.PRACTITIONER))
        .get(reverse("api:policy", args=["oscb-children"]))
        .json()["routes"][1]["steps"]
    ]
    assert all(s["due"] for s in body["steps"])


def test_the_timeline_defaults_as_the_page_does(oscb):
    # Now on the hour, the person's partnership's nation, the policy's first route, no risk.
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    with time_machine.travel(dt.datetime(2026, 12, 23, 15, 20, tzinfo=LONDON), tick=False):
        body = timeline(client).json()
    assert body["start"] == "2026-12-23T15:00:00Z"
    assert (body["nation"], body["route"]["slug"], body["risk"]) == ("england", "standard", False)
    assert body["steps"][1]["due"] == "2027-01-04T17:00:00Z"


def test_the_default_nation_is_the_persons_partnerships(presets):
    wales = build_world(policy=presets["oscb-children"], nation="wales", code="WAL")
    body = timeline(api(wales.person("challenging", Role.PRACTITIONER)), start=RAISED).json()
    assert (body["nation"], body["nation_name"]) == ("wales", "Wales")


def test_bad_parameters_get_400_with_every_field_and_nothing_else(oscb):
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    response = timeline(client, nation="atlantis", start="yesterday", route="../x", risk="maybe")
    body = problem(response, 400)
    assert set(body) == {"type", "title", "status", "detail", "errors"}
    errors = body["errors"]
    assert set(errors) == {"nation", "start", "route", "risk"}
    assert errors["nation"] == [
        "Unknown nation 'atlantis'. Use one of: england, wales, scotland, northern-ireland."
    ]
    assert "is not an ISO 8601 date and time" in errors["start"][0]
    assert errors["route"] == [
        "Policy 'oscb-children' has no route '../x'. Routes: standard, conference-dissent."
    ]
    assert errors["risk"] == ["Must be a valid boolean."]
    # One bad field alone is named alone.
    body = problem(timeline(client, nation="england", start="2026-13-01"), 400)
    assert set(body["errors"]) == {"start"}
    # A UK time the clocks skip is refused as the command refuses it.
    body = problem(timeline(client, start="2027-03-28T01:30"), 400)
    assert "does not exist in Europe/London" in body["errors"]["start"][0]


def test_a_refused_read_does_not_speak_of_saving(oscb):
    body = problem(
        api(oscb.person("challenging", Role.PRACTITIONER)).get(
            "/api/v1/policies/oscb-children/timeline/", {"start": "yesterday"}
        ),
        400,
    )
    assert body["detail"] == "Correct what is shown."
    assert list(body["errors"]) == ["start"]
