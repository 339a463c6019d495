"""POST /api/v1/cases/: raising a case through the API, as the raise pages raise one (the same
transition, the same checks and messages): the case, its ETag and address; the refusals as
problem details that save nothing; then the case followed through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from agencies.enums import Role
from agencies.models import Partnership
from escalation.models import Case
from escalation.queries.policies import case_route
from notifications.enums import Event
from notifications.models import OutboxMessage
from tests.api.calls import PROBLEM, api
from tests.escalation.world import World
from tests.factories import AgencyFactory, MembershipFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MON_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
SAVED_NOTHING = "Nothing was saved: correct what is shown."


def good(world: World, **changes: Any) -> dict[str, Any]:
    """A raise that works: the answers the raise pages ask, as the API takes them."""
    body: dict[str, Any] = {
        "policy": "oscb-children",
        "responding_agency": world.responding.name,
        "responding_professional": "A. Social Worker, duty team",
        "responding_person": world.person("responding", Role.PRACTITIONER).pk,
        "subject_kind": "child",
        "subject_initials": "j.d",
        "subject_age_band": "5-10",
        "challenging_record_number": "H-123",
        "category": "criteria-for-referrals",
        "disagreement": "The referral was closed without an assessment.",
        "impact": "JD is left without support at home.",
        "risk_of_significant_harm": False,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def post(client: Client, body: Any) -> Any:
    with time_machine.travel(MON_NOON, tick=False):
        return client.post(reverse("api:cases"), body, content_type="application/json")


def refused(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"]
    return dict(body)


def errors_of(client: Client, body: Any) -> dict[str, list[str]]:
    """The field errors of a refused raise; nothing was saved."""
    before = Case.objects.count(), OutboxMessage.objects.count()
    problem = refused(post(client, body), 400)
    assert problem["detail"] == SAVED_NOTHING
    assert (Case.objects.count(), OutboxMessage.objects.count()) == before
    return dict(problem["errors"])


# --- raising ---------------------------------------------------------------------------------


def test_a_practitioner_raises_a_case_as_the_pages_would(oscb):
    raiser = oscb.person("challenging", Role.PRACTITIONER)
    response = post(api(raiser), good(oscb))
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    body = response.json()
    assert body["reference"] == case.reference == "OXF-2026-0001"
    assert response["ETag"] == body["etag"] == '"OXF-2026-0001-v1"'
    assert response["Location"] == f"http://testserver/api/v1/cases/{case.reference}/"
    assert body["challenging_agency"] == "Hillside Health"
    assert body["responding_agency"] == "County Social Care"
    assert body["route"] == "standard" and body["status"] == "open"
    assert body["risk_of_significant_harm"] is False
    assert body["current_step"]["number"] == 1
    assert case.raised_by == raiser
    assert case.responding_person == oscb.person("responding", Role.PRACTITIONER)
    assert case.subject_initials == "JD"  # kept as the pages keep them
    assert (case.subject_kind, case.subject_age_band) == ("child", "5-10")
    assert case.challenging_record_number == "H-123" and case.responding_record_number == ""
    assert case.policy_version.policy.slug == "oscb-children"
    assert case.raised_at == MON_NOON
    assert list(Case.history.filter(id=case.pk).values_list("history_change_reason", flat=True))
    # Told as the pages' raise tells: the professional chosen and step 1's actors.
    told = set(
        OutboxMessage.objects.filter(case=case, event=Event.CASE_RAISED).values_list(
            "recipient__username", flat=True
        )
    )
    step = case_route(case).step(1)
    actors = {
        (case.raised_by if side == "challenging" else oscb.person(side, role)).username
        for side, role in step.actors.items()
    }
    assert told == {oscb.person("responding", Role.PRACTITIONER).username} | actors


def test_a_special_route_with_its_answers_and_at_risk(oscb):
    body = good(
        oscb,
        route="conference-dissent",
        risk_of_significant_harm=True,
        route_details={
            "dissenting-professional": "Dr A. Nurse",
            "reason": "The plan leaves the child at home.",
            "attended": "yes",
        },
    )
    response = post(api(oscb.person("challenging", Role.PRACTITIONER)), body)
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.route == "conference-dissent" and case.risk_of_significant_harm is True
    assert case.route_details == {
        "dissenting-professional": "Dr A. Nurse",
        "reason": "The plan leaves the child at home.",
        "attended": "yes",
    }


def test_an_earlier_due_moment_for_the_first_step(oscb):
    due = MON_NOON + dt.timedelta(days=1)
    response = post(api(oscb.person("challenging", Role.PRACTITIONER)), good(oscb, due_at=due))
    assert response.status_code == 201, response.content
    assert Case.objects.get().current_step.due_at == due


def test_a_person_of_two_agencies_names_the_one_they_raise_for(oscb):
    raiser = oscb.person("challenging", Role.PRACTITIONER)
    MembershipFactory(user=raiser, agency=oscb.unrelated, role=Role.PRACTITIONER)
    client = api(raiser)
    errors = errors_of(client, good(oscb))
    assert errors == {
        "challenging_agency": ["Select the agency you are raising this challenge for"]
    }
    assert errors_of(client, good(oscb, challenging_agency="Nowhere")) == {
        "challenging_agency": ["Select one of your agencies"]
    }
    response = post(client, good(oscb, challenging_agency="Valley Police"))
    assert response.status_code == 201, response.content
    assert response.json()["challenging_agency"] == "Valley Police"


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.BOARD_STAFF, Role.STRATEGIC_MANAGER, Role.PARTNERSHIP_ADMIN])
def test_a_role_that_does_not_raise_on_the_pages_gets_403(oscb, role):
    problem = refused(post(api(oscb.person("board", role)), good(oscb)), 403)
    assert problem["detail"] == "Your roles do not let you raise a challenge."
    assert Case.objects.count() == 0


def test_a_signed_out_request_gets_401(oscb):
    refused(post(Client(), good(oscb)), 401)
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"responding_agency": "Nowhere Trust"},
            "responding_agency",
            "Select one of the agencies listed",
        ),
        (
            {"responding_agency": "Hillside Health"},
            "responding_agency",
            "Select one of the agencies listed",
        ),
        (
            {"responding_agency": "The Board"},
            "responding_agency",
            "Select one of the agencies listed",
        ),
        ({"responding_agency": ""}, "responding_agency", "Select the agency you disagree with"),
        (
            {"responding_professional": " "},
            "responding_professional",
            "Enter the name and role of the professional you disagree with",
        ),
        (
            {"responding_professional": "x" * 201},
            "responding_professional",
            "The name and role must be 200 characters or fewer",
        ),
        (
            {"subject_initials": "Jonah"},
            "subject_initials",
            "Enter initials only: 1 to 4 letters, for example JD",
        ),
        (
            {"subject_initials": "J0"},
            "subject_initials",
            "Enter initials only: 1 to 4 letters, for example JD",
        ),
        ({"subject_kind": "adult"}, "subject_kind", "Select one of the answers listed"),
        ({"subject_age_band": "26-64"}, "subject_age_band", "Select one of the age bands listed"),
        (
            {"subject_age_band": "18-25"},
            "subject_age_band",
            "A child is under 18: select an age band under 18",
        ),
        ({"category": "gossip"}, "category", "Select one of the answers listed"),
        ({"route": "nowhere"}, "route", "Select one of the kinds of disagreement listed"),
        (
            {"challenging_record_number": "1" * 51},
            "challenging_record_number",
            "Your agency's record number must be 50 characters or fewer",
        ),
        ({"disagreement": ""}, "disagreement", "Enter what you disagree with"),
        ({"impact": "x" * 5001}, "impact", "The impact must be 5,000 characters or fewer"),
        ({"policy": "ssab-adults"}, "policy", None),
        (
            {"route_details": {"attended": "yes"}},
            "route_details.attended",
            "The route 'Resolving professional concerns and disagreements' does not ask 'attended'",
        ),
        (
            {"risk_of_significant_harm": "maybe"},
            "risk_of_significant_harm",
            "Must be a valid boolean.",
        ),
        ({"due_at": "2026-11-23T11:00:00Z"}, "due_at", "The due moment must be in the future"),
        ({"due_at": "2027-06-01T12:00:00Z"}, "due_at", None),
        ({"due_at": "tomorrow"}, "due_at", None),
    ],
)
def test_each_bad_answer_is_a_field_error_and_saves_nothing(oscb, changes, field, message):
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    errors = errors_of(client, good(oscb, **changes))
    assert set(errors) == {field}, errors
    if message is not None:
        assert errors[field] == [message]
    else:
        assert errors[field] and errors[field][0]


def test_a_missing_answer_is_named_with_the_pages_words(oscb):
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    errors = errors_of(client, {})
    assert errors == {
        "responding_agency": ["Select the agency you disagree with"],
        "responding_professional": [
            "Enter the name and role of the professional you disagree with"
        ],
        "subject_kind": ["Select who the disagreement is about"],
        "subject_initials": ["Enter their initials"],
        "subject_age_band": ["Select their age band"],
        "category": ["Select what the disagreement is about"],
        "disagreement": ["Enter what you disagree with"],
        "impact": ["Enter the impact"],
        "risk_of_significant_harm": ["Select yes if there is a risk of significant harm"],
    }
    refused(post(client, ["not", "an", "object"]), 400)
    assert Case.objects.count() == 0


def test_missing_and_wrong_answers_are_listed_together(oscb):
    """A missing answer and one the pages' forms refuse are listed in one answer."""
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    body = good(oscb, subject_initials="John Smith", risk_of_significant_harm="perhaps")
    del body["category"]
    errors = errors_of(client, body)
    assert list(errors) == ["subject_initials", "category", "risk_of_significant_harm"]
    assert errors["subject_initials"] == ["Enter initials only: 1 to 4 letters, for example JD"]
    assert errors["category"] == ["Select what the disagreement is about"]


def test_several_bad_answers_are_listed_together(oscb):
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    errors = errors_of(
        client, good(oscb, responding_agency="Nowhere", subject_initials="", category="x")
    )
    assert set(errors) == {"responding_agency", "subject_initials", "category"}


def test_a_matter_not_for_this_procedure_says_where_to_go(oscb):
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    for route in ("gaps-in-provision", "not:gaps-in-provision"):
        errors = errors_of(client, good(oscb, route=route))
        assert errors["route"][0].startswith("Not for this procedure: Gaps in provision")
        assert "problem-solve" in errors["route"][0]


def test_the_answer_that_refuses_a_route_refuses_the_raise(oscb):
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    details = {"dissenting-professional": "Dr A. Nurse", "reason": "The plan.", "attended": "no"}
    errors = errors_of(client, good(oscb, route="conference-dissent", route_details=details))
    assert errors == {
        "route_details.attended": [
            "A dissent can be recorded only by a professional who attended the conference, and "
            "only while the conference is being recorded. The dissenting professional did not "
            "attend, so this dissent cannot be raised on this route."
        ]
    }
    errors = errors_of(
        client, good(oscb, route="conference-dissent", route_details={"attended": "perhaps"})
    )
    assert errors["route_details.attended"] == ["Select one of the answers listed"]
    assert set(errors) == {
        "route_details.attended",
        "route_details.dissenting-professional",
        "route_details.reason",
    }


def test_an_agency_of_another_partnership_is_refused_as_unknown(oscb):
    """Its name is refused as a name that matches nothing: its existence is not told."""
    elsewhere = AgencyFactory(partnership=Partnership.objects.get(code="OXFX"), name="Far Trust")
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    theirs = errors_of(client, good(oscb, responding_agency=elsewhere.name))
    nobody = errors_of(client, good(oscb, responding_agency="No Such Trust"))
    assert theirs == nobody == {"responding_agency": ["Select one of the agencies listed"]}


def test_a_person_not_of_the_agency_disagreed_with_is_refused(oscb):
    client = api(oscb.person("challenging", Role.PRACTITIONER))
    someone = oscb.person("unrelated", Role.PRACTITIONER)
    errors = errors_of(client, good(oscb, responding_person=someone.pk))
    assert errors == {"responding_person": ["Select a person from the list, or 'Not listed'"]}
    errors = errors_of(client, good(oscb, responding_person=10**9))
    assert list(errors) == ["responding_person"]


# --- then following the case ---------------------------------------------------------------


def test_raise_then_read_record_and_escalate_with_if_match(oscb):
    raiser = oscb.person("challenging", Role.PRACTITIONER)
    client = api(raiser)
    created = post(client, good(oscb, risk_of_significant_harm=True))
    assert created.status_code == 201, created.content
    address = created["Location"]
    with time_machine.travel(MON_NOON + dt.timedelta(hours=1), tick=False):
        read = client.get(address)
        assert read.status_code == 200
        assert read["ETag"] == created["ETag"] == '"OXF-2026-0001-v1"'
        reference = read.json()["reference"]
        case = Case.objects.get(reference=reference)
        actor = oscb.any_actor(case)
        acting = api(actor)
        record_slug = "concerns"
        recorded = acting.post(
            reverse("api:case_record", args=[reference]),
            {"record": {record_slug: "We met and could not agree."}, "meeting_held": True},
            content_type="application/json",
            HTTP_IF_MATCH=read["ETag"],
        )
        assert recorded.status_code == 200, recorded.content
        assert recorded["ETag"] == '"OXF-2026-0001-v2"'
        escalated = acting.post(
            reverse("api:case_escalate", args=[reference]),
            {"reason": "Still no assessment."},
            content_type="application/json",
            HTTP_IF_MATCH=recorded["ETag"],
        )
        assert escalated.status_code == 200, escalated.content
        assert escalated.json()["current_step"]["number"] == 2
        assert escalated["ETag"] == '"OXF-2026-0001-v3"'
        stale = acting.post(
            reverse("api:case_escalate", args=[reference]),
            {"reason": "Again."},
            content_type="application/json",
            HTTP_IF_MATCH=recorded["ETag"],
        )
        refused(stale, 412)
    case.refresh_from_db()
    assert case.version == 3 and case.current_step.number == 2
