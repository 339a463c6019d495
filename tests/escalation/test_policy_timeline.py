"""The policy_timeline command: the worked examples of DESIGN.md on the shipped presets,
and the clear refusals."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from escalation.enums import PolicyVersionStatus
from escalation.models import Policy, PolicyVersion

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("policy_timeline", *args, stdout=out)
    return out.getvalue()


def run_json(*args: str) -> dict:
    return json.loads(run(*args, "--json"))


def dues(data: dict) -> dict[int, str | None]:
    return {s["number"]: s["due"] for s in data["steps"]}


# --- the worked examples on the presets --------------------------------------------------


def test_4lscb_scotland_raised_at_close_of_business(presets):
    data = run_json("4lscb-children", "--nation", "scotland", "--start", "2026-11-26T17:00")

    assert (data["policy"], data["route"], data["nation"], data["risk"]) == (
        "4lscb-children",
        "standard",
        "scotland",
        False,
    )
    assert dues(data) == {
        0: "2026-11-27T17:00:00+00:00",  # the concern in writing, the same working day
        1: "2026-12-01T17:00:00+00:00",
        2: "2026-12-04T17:00:00+00:00",
        3: "2026-12-09T17:00:00+00:00",
        4: "2026-12-17T17:00:00+00:00",
    }
    step_0, step_1 = data["steps"][:2]
    assert step_0["starts"] == step_1["starts"] == "2026-11-26T17:00:00+00:00"
    assert step_1["explanation"].startswith(
        "Raised Thu 26 Nov 2026 at 17:00, at or after close of business, so day 0 is Fri 27 Nov"
    )
    assert "Mon 30 Nov Saint Andrew's Day" in step_1["explanation"]


def test_oscb_england_over_christmas(presets):
    data = run_json("oscb-children", "--nation", "england", "--start", "2026-12-23T15:00")
    ladder = [s for s in data["steps"] if s["number"] >= 1]

    assert data["version"] == presets["oscb-children"].versions.get(status="published").number
    assert {s["number"]: s["due"] for s in ladder} == {
        1: "2027-01-04T17:00:00+00:00",
        2: "2027-01-12T17:00:00+00:00",
        3: "2027-01-20T17:00:00+00:00",
        4: "2027-01-28T17:00:00+00:00",
        5: "2027-02-05T17:00:00+00:00",
    }
    assert [s["starts"] for s in ladder] == [
        "2026-12-23T15:00:00+00:00",
        "2027-01-04T17:00:00+00:00",
        "2027-01-12T17:00:00+00:00",
        "2027-01-20T17:00:00+00:00",
        "2027-01-28T17:00:00+00:00",
    ]
    # The step 0 target (5 working days at most) runs beside step 1 from the raising.
    assert [(s["starts"], s["due"]) for s in data["steps"] if s["number"] == 0] == [
        ("2026-12-23T15:00:00+00:00", "2027-01-04T17:00:00+00:00")
    ]
    assert ladder[0]["explanation"] == (
        "5 working days from Wed 23 Dec 2026 (day 0), England; skipped Fri 25 Dec Christmas "
        "Day, Mon 28 Dec Boxing Day (substitute day), Fri 1 Jan New Year's Day and the weekends; "
        "due 17:00 Mon 4 Jan 2027"
    )


def test_sab_wales_with_risk_is_due_the_same_working_day(presets):
    data = run_json("sab-adults", "--nation", "wales", "--start", "2027-05-01T10:00", "--risk")

    assert data["risk"] is True
    assert dues(data) == {
        1: "2027-05-04T17:00:00+01:00",
        2: "2027-05-05T17:00:00+01:00",
        3: "2027-05-06T17:00:00+01:00",
        4: "2027-05-07T17:00:00+01:00",
    }
    assert data["steps"][0]["starts"] == "2027-05-01T10:00:00+01:00"
    assert "after Mon 3 May May Day" in data["steps"][0]["explanation"]


def test_sab_wales_without_risk_each_step_is_due_in_5_working_days(presets):
    """The SAB flowchart gives no time-scale without risk; the preset's decision is 5 working
    days a step (docs/policies.md). Raised Sat 1 May 2027: day 0 is Tue 4 May (Mon 3 May is
    the May Day bank holiday); Mon 31 May is the Spring bank holiday."""
    data = run_json("sab-adults", "--nation", "wales", "--start", "2027-05-01T10:00")

    assert dues(data) == {
        1: "2027-05-11T17:00:00+01:00",
        2: "2027-05-19T17:00:00+01:00",
        3: "2027-05-27T17:00:00+01:00",
        4: "2027-06-07T17:00:00+01:00",
    }
    assert [s["starts"] for s in data["steps"]][1:] == [
        "2027-05-11T17:00:00+01:00",
        "2027-05-19T17:00:00+01:00",
        "2027-05-27T17:00:00+01:00",
    ]


def test_ssab_northern_ireland_stage_2_counts_from_the_raising(presets):
    data = run_json("ssab-adults", "--nation", "northern-ireland", "--start", "2027-03-12T12:00")

    got = dues(data)
    assert (got[2], got[3], got[4]) == (
        "2027-03-22T17:00:00+00:00",
        "2027-04-08T17:00:00+01:00",
        "2027-04-23T17:00:00+01:00",
    )
    stage_2 = next(s for s in data["steps"] if s["number"] == 2)
    assert "skipped Wed 17 Mar Saint Patrick's Day" in stage_2["explanation"]


def test_the_json_has_exactly_the_promised_keys(presets):
    data = run_json("oscb-children", "--nation", "england", "--start", "2026-12-23T15:00")

    assert list(data) == ["policy", "version", "route", "nation", "risk", "steps"]
    assert {tuple(s) for s in data["steps"]} == {("number", "name", "starts", "due", "explanation")}


# --- a small policy of our own: the table, the route and the refusals -------------------


def document(slug: str = "test-policy") -> dict:
    def deadline(kind: str, amount: int = 0) -> dict:
        return {"kind": kind, "amount": amount}

    return {
        "slug": slug,
        "name": "Test policy",
        "version": 2,
        "audience": "children",
        "categories": [{"slug": "thresholds", "name": "Thresholds"}],
        "routes": [
            {
                "slug": "standard",
                "name": "Standard route",
                "steps": [
                    {"number": 1, "name": "Practitioners", "actors": {}, "deadline": deadline("working_days", 1)},
                    {"number": 2, "name": "Managers", "actors": {}, "deadline": deadline("working_days", 2)},
                ],
            },
            {
                "slug": "conference",
                "name": "Dissent at a conference",
                "steps": [
                    {"number": 1, "name": "Chair", "actors": {}, "deadline": deadline("clock_hours", 24)},
                ],
            },
        ],
    }  # fmt: skip


@pytest.fixture
def own_policy() -> Policy:
    policy = Policy.objects.create(slug="test-policy", name="Test policy")
    PolicyVersion.objects.create(
        policy=policy, number=1, status=PolicyVersionStatus.PUBLISHED, document=document()
    )
    PolicyVersion.objects.create(
        policy=policy, number=2, status=PolicyVersionStatus.PUBLISHED, document=document()
    )
    draft = document()
    draft["routes"][0]["steps"][0]["deadline"] = {"kind": "none"}
    PolicyVersion.objects.create(
        policy=policy, number=3, status=PolicyVersionStatus.DRAFT, document=draft
    )
    return policy


def test_the_newest_published_version_and_the_first_route_by_default(own_policy):
    data = run_json("test-policy", "--nation", "england", "--start", "2026-12-08T10:00")

    assert (data["version"], data["route"]) == (2, "standard")
    assert dues(data) == {1: "2026-12-09T17:00:00+00:00", 2: "2026-12-14T17:00:00+00:00"}


def test_another_route(own_policy):
    data = run_json(
        "test-policy", "--nation", "wales", "--start", "2027-03-27T12:00", "--route", "conference"
    )

    assert data["route"] == "conference"
    assert data["steps"] == [
        {
            "number": 1,
            "name": "Chair",
            "starts": "2027-03-27T12:00:00+00:00",
            "due": "2027-03-28T13:00:00+01:00",
            "explanation": (
                "24 clock hours from 12:00 GMT Sat 27 Mar 2027; due 13:00 BST Sun 28 Mar 2027"
            ),
        }
    ]


def test_a_start_with_an_offset_is_shown_in_london_time(own_policy):
    data = run_json("test-policy", "--nation", "england", "--start", "2027-06-08T08:00Z")

    assert data["steps"][0]["starts"] == "2027-06-08T09:00:00+01:00"


def test_the_table(own_policy):
    out = run("test-policy", "--nation", "england", "--start", "2026-12-08T10:00")

    assert out.splitlines() == [
        "Test policy (test-policy, version 2)",
        "Route: Standard route (standard); England; no risk of significant harm flagged",
        "Raised 10:00 GMT Tue 8 Dec 2026; times in Europe/London",
        "",
        "Step  Name           Starts                    Due",
        "----  -------------  ------------------------  -------------------------",
        "1     Practitioners  10:00 GMT Tue 8 Dec 2026  17:00 GMT Wed 9 Dec 2026",
        "      1 working day from Tue 8 Dec 2026 (day 0), England; due 17:00 Wed 9 Dec 2026",
        "2     Managers       17:00 GMT Wed 9 Dec 2026  17:00 GMT Mon 14 Dec 2026",
        "      Step started Wed 9 Dec 2026 at 17:00, at or after close of business, so day 0 is "
        "Thu 10 Dec; 2 working days from Thu 10 Dec 2026 (day 0), England; skipped the "
        "weekend; due 17:00 Mon 14 Dec 2026",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["no-such-policy", "--nation", "england", "--start", "2026-12-08T10:00"],
            "No policy 'no-such-policy'. Policies: test-policy.",
        ),
        (
            ["test-policy", "--nation", "england", "--start", "2026-12-08T10:00", "--route", "x"],
            "Policy 'test-policy' has no route 'x'. Routes: standard, conference.",
        ),
        (
            ["test-policy", "--nation", "ireland", "--start", "2026-12-08T10:00"],
            "Unknown nation 'ireland'. Use one of: england, wales, scotland, northern-ireland.",
        ),
        (
            ["test-policy", "--nation", "england", "--start", "next tuesday"],
            "Bad --start: 'next tuesday' is not an ISO 8601 date and time, e.g. "
            "2026-11-26T17:00 (Europe/London) or 2026-11-26T17:00+00:00.",
        ),
        (
            ["test-policy", "--nation", "england", "--start", "2027-03-28T01:30"],
            "Bad --start: '2027-03-28T01:30' does not exist in Europe/London",
        ),
    ],
)
def test_refusals_say_what_is_valid(own_policy, args, message):
    with pytest.raises(CommandError) as refused:
        run(*args)
    assert str(refused.value).startswith(message)


def test_no_policies_loaded_says_so():
    with pytest.raises(CommandError) as refused:
        run("oscb-children", "--nation", "england", "--start", "2026-12-08T10:00")
    assert str(refused.value) == (
        "No policy 'oscb-children': no policies are loaded (run load_policies)."
    )


def test_a_policy_without_a_published_version_is_refused():
    policy = Policy.objects.create(slug="draft-only", name="Draft only")
    PolicyVersion.objects.create(policy=policy, number=1, document=document("draft-only"))
    with pytest.raises(CommandError) as refused:
        run("draft-only", "--nation", "england", "--start", "2026-12-08T10:00")
    assert str(refused.value) == "Policy 'draft-only' has no published version."


def test_nation_and_start_are_required(own_policy):
    with pytest.raises(CommandError, match="--nation, --start"):
        run("test-policy")
