"""The v1 endpoints, through a personal access token: each action's happy path, and every
refusal as problem details that saves nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from agencies.enums import Role
from api.models import ApiToken
from api.tokens import token_create, token_revoke
from api.urls import ACTIONS
from escalation.models import Case, CaseAccess
from escalation.policy import record_fields
from escalation.queries.case_page import reassign_candidates
from escalation.queries.policies import case_route, policy_spec
from tests.api.calls import api, problem

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MON_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)


@pytest.fixture
def case(oscb) -> Case:
    with time_machine.travel(MON_NOON, tick=False):
        return oscb.raise_case(risk_of_significant_harm=True)


def etag(case: Case) -> str:
    case.refresh_from_db()
    return f'"{case.reference}-v{case.version}"'


def act(client: Client, case: Case, action: str, body: dict[str, Any], **headers: str) -> Any:
    headers.setdefault("HTTP_IF_MATCH", etag(case))
    return client.post(
        reverse(f"api:case_{action}", args=[case.reference]),
        body,
        content_type="application/json",
        **headers,
    )


def written(case: Case) -> tuple[int, int, int]:
    case.refresh_from_db()
    return case.version, Case.history.count(), case.steps.count()


def text_slug(case: Case) -> str:
    spec = case_route(case).step(case.current_step.number)
    fields = record_fields(policy_spec(case.policy_version), spec)
    return next(f.slug for f in fields if f.kind in ("long_text", "text"))


def ok(response: Any, case: Case) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert response["ETag"] == etag(case) == body["etag"]
    return dict(body)


# --- reading ---------------------------------------------------------------------------------


def test_the_list_shows_the_persons_cases_and_filters_by_status(oscb, case):
    client = api(case.raised_by)
    body = client.get(reverse("api:cases")).json()
    assert [c["reference"] for c in body["results"]] == [case.reference]
    assert body["count"] == 1
    resolved = client.get(reverse("api:cases"), {"status": "resolved"}).json()
    assert resolved["results"] == []
    opened = client.get(reverse("api:cases"), {"status": "open"}).json()
    assert opened["count"] == 1
    bad = problem(client.get(reverse("api:cases"), {"status": "lost"}), 400)
    assert "status" in bad["errors"]


def test_the_case_has_its_etag_and_the_read_is_logged(oscb, case):
    client = api(case.raised_by)
    response = client.get(reverse("api:case", args=[case.reference]))
    body = ok(response, case)
    assert body["reference"] == case.reference and body["status"] == "open"
    assert body["current_step"]["number"] == case.current_step.number
    assert CaseAccess.objects.filter(case=case, user=case.raised_by, what="API case").count() == 1


def test_the_steps_in_order(oscb, case):
    response = api(case.raised_by).get(reverse("api:case_steps", args=[case.reference]))
    assert response.status_code == 200
    numbers = [s["number"] for s in response.json()]
    assert (
        numbers
        == sorted(numbers)
        == list(case.steps.values_list("number", flat=True).order_by("number"))
    )
    assert case.current_step.number in numbers


def test_a_person_of_an_unrelated_agency_gets_404_for_every_case_address(oscb, case):
    client = api(oscb.person("unrelated", Role.SAFEGUARDING_LEAD))
    for name in ("api:case", "api:case_steps"):
        body = problem(client.get(reverse(name, args=[case.reference])), 404)
        assert case.reference not in str(body)
    before = written(case)
    body = problem(act(client, case, "withdraw", {"reason": "Not ours"}), 404)
    assert case.reference not in str(body)
    assert client.get(reverse("api:cases")).json()["count"] == 0
    assert written(case) == before


# --- the actions -----------------------------------------------------------------------------


def test_record_then_escalate(oscb, case):
    actor = oscb.any_actor(case)
    client = api(actor)
    body = ok(
        act(
            client,
            case,
            "record",
            {"record": {text_slug(case): "We met and talked."}, "meeting_held": True},
        ),
        case,
    )
    assert body["version"] == 2
    case.refresh_from_db()
    assert case.current_step.recorded_at is not None
    number = case.current_step.number
    read = etag(case)
    body = ok(act(client, case, "escalate", {"reason": "Still no assessment."}), case)
    assert body["current_step"]["number"] == number + 1
    # Sent again with the ETag it was read with: the case has changed (not "you may not").
    before = written(case)
    again = act(client, case, "escalate", {"reason": "Again"}, HTTP_IF_MATCH=read)
    problem(again, 412)
    assert written(case) == before


def test_skip(oscb, case):
    number = case.current_step.number
    client = api(oscb.any_actor(case))
    response = act(client, case, "skip", {"reason": "The child is at risk tonight."})
    body = ok(response, case)
    assert body["current_step"]["number"] > number


def test_resolve_then_agree(oscb, case):
    case = oscb.write_record(case)
    responder = oscb.actor(case, "responding")
    body = ok(act(api(responder), case, "resolve", {"learning": "Share the guidance."}), case)
    assert body["status"] == "open"  # waiting for the raiser's side
    body = ok(act(api(case.raised_by), case, "agree", {}), case)
    assert body["status"] == "resolved"


def test_resolve_then_dispute(oscb, case):
    case = oscb.write_record(case)
    number = case.current_step.number
    act(api(oscb.actor(case, "responding")), case, "resolve", {"learning": "Share it."})
    body = ok(act(api(case.raised_by), case, "dispute", {"reason": "Nothing changed."}), case)
    assert body["status"] == "open" and body["current_step"]["number"] == number + 1


def test_withdraw(oscb, case):
    body = ok(act(api(case.raised_by), case, "withdraw", {"reason": "Sorted by phone."}), case)
    assert body["status"] == "withdrawn"


def test_reassign(oscb, case):
    lead = oscb.person("challenging", Role.SAFEGUARDING_LEAD)
    someone = next(c for c in reassign_candidates(case=case, side="challenging"))
    body = ok(
        act(
            api(lead),
            case,
            "reassign",
            {"side": "challenging", "to": someone.pk, "reason": "Leave"},
        ),
        case,
    )
    assert body["version"] == 2


def test_chase_an_overdue_step(oscb, case):
    with time_machine.travel(case.current_step.due_at + dt.timedelta(hours=1), tick=False):
        lead = oscb.person("challenging", Role.SAFEGUARDING_LEAD)
        body = ok(act(api(lead), case, "chase", {"reason": "No reply to two e-mails."}), case)
    assert body["version"] == 2


# --- refusals --------------------------------------------------------------------------------


def test_a_party_who_may_not_act_gets_403_and_nothing_is_saved(oscb, case):
    before = written(case)
    body = problem(
        act(api(oscb.person("responding", Role.PRACTITIONER)), case, "withdraw", {"reason": "x"}),
        403,
    )
    assert body["detail"]
    assert written(case) == before


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_refuses_a_party_who_may_not_act_with_403(oscb, case, action):
    # Board staff see every case of their partnership and may chase a step, none of the other
    # eight; a practitioner of the agency disagreed with sees the case and may chase nothing.
    who = ("responding", Role.PRACTITIONER) if action == "chase" else ("board", Role.BOARD_STAFF)
    before = written(case)
    body = problem(act(api(oscb.person(*who)), case, action, {}), 403)
    assert body["detail"] == "You may not do this to this case now."
    assert written(case) == before


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_with_a_stale_if_match_gets_412_and_saves_nothing(oscb, case, action):
    stale = etag(case)
    oscb.write_record(case)
    before = written(case)
    body = problem(act(api(case.raised_by), case, action, {}, HTTP_IF_MATCH=stale), 412)
    assert body["detail"] == "The case has changed since you read it: read it again."
    assert written(case) == before


def test_bad_input_gets_field_errors_and_saves_nothing(oscb, case):
    client = api(oscb.any_actor(case))
    before = written(case)
    body = problem(act(client, case, "escalate", {"reason": ""}), 400)
    assert body["errors"]["reason"]
    body = problem(act(client, case, "record", {"record": {"no-such-field": "x"}}), 400)
    assert body["errors"]["record"]
    body = problem(act(client, case, "record", {"record": "not a mapping"}), 400)
    assert body["errors"]["record"]
    body = problem(act(client, case, "resolve", {"themes": ["nonsense"]}), 400)
    assert "themes.0" in body["errors"] or "themes" in body["errors"]
    assert written(case) == before


def test_the_other_actions_refuse_bad_input_field_by_field_and_save_nothing(oscb, case):
    before = written(case)
    body = problem(act(api(case.raised_by), case, "withdraw", {"reason": "  "}), 400)
    assert list(body["errors"]) == ["reason"]
    body = problem(act(api(oscb.any_actor(case)), case, "skip", {}), 400)
    assert list(body["errors"]) == ["reason"]
    lead = api(oscb.person("challenging", Role.SAFEGUARDING_LEAD))
    outsider = oscb.person("unrelated", Role.PRACTITIONER)
    body = problem(
        act(lead, case, "reassign", {"side": "challenging", "to": outsider.pk, "reason": "Leave"}),
        400,
    )
    assert body["errors"] == {"to": ["Select a person of that side's agency"]}
    body = problem(act(lead, case, "reassign", {"side": "nowhere", "to": "x"}), 400)
    assert set(body["errors"]) == {"side", "to"}
    with time_machine.travel(case.current_step.due_at + dt.timedelta(hours=1), tick=False):
        body = problem(act(lead, case, "chase", {"reason": ""}), 400)
    assert list(body["errors"]) == ["reason"]
    assert written(case) == before


def test_a_stale_if_match_gets_412_and_saves_nothing(oscb, case):
    client = api(case.raised_by)
    stale = etag(case)
    oscb.write_record(case)
    before = written(case)
    body = problem(act(client, case, "withdraw", {"reason": "Sorted."}, HTTP_IF_MATCH=stale), 412)
    assert body["detail"] == "The case has changed since you read it: read it again."
    assert written(case) == before


def test_without_if_match_428_and_nothing_saved(oscb, case):
    before = written(case)
    client = api(case.raised_by)
    response = client.post(
        reverse("api:case_withdraw", args=[case.reference]),
        {"reason": "Sorted."},
        content_type="application/json",
    )
    problem(response, 428)
    assert written(case) == before


# --- tokens ----------------------------------------------------------------------------------


def test_no_token_gets_401_problem_not_a_redirect(client, case):
    body = problem(client.get(reverse("api:cases")), 401)
    assert body["detail"]


def test_a_wrong_secret_expired_or_revoked_token_gets_401(oscb, case, settings):
    settings.RESOLVE_API_TOKEN_DAYS = 90
    token, text = token_create(user=case.raised_by)
    url = reverse("api:cases")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {text}").get(url).status_code == 200
    problem(Client(HTTP_AUTHORIZATION=f"Bearer {text[:-2]}xx").get(url), 401)
    problem(Client(HTTP_AUTHORIZATION="Bearer rsv_nothing").get(url), 401)
    with time_machine.travel(token.expires_at + dt.timedelta(seconds=1)):
        problem(Client(HTTP_AUTHORIZATION=f"Bearer {text}").get(url), 401)
    token_revoke(token=token)
    problem(Client(HTTP_AUTHORIZATION=f"Bearer {text}").get(url), 401)


def test_a_token_is_kept_only_as_its_digest(oscb, case):
    token, text = token_create(user=case.raised_by, name="laptop")
    stored = ApiToken.objects.get(pk=token.pk)
    assert text.startswith(f"rsv_{stored.prefix}_")
    assert text not in str(ApiToken.objects.filter(pk=token.pk).values().first())
    assert len(stored.digest) == 64


def test_the_api_token_command_prints_a_working_token(oscb, case):
    out = io.StringIO()
    call_command(
        "api_token", case.raised_by.username, "--name", "script", stdout=out, stderr=io.StringIO()
    )
    text = out.getvalue().strip()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {text}").get(reverse("api:cases"))
    assert response.json()["count"] == 1
    assert ApiToken.objects.get(user=case.raised_by).name == "script"
    token = ApiToken.objects.get(user=case.raised_by)
    assert token.last_used_at is not None


def test_a_session_without_its_second_factor_gets_401_not_a_redirect(client, case, settings):
    settings.RESOLVE_TWO_FACTOR = True
    client.force_login(case.raised_by)
    body = problem(client.get(reverse("api:cases")), 401)
    assert "second factor" in body["detail"]
    # The token is its own second factor.
    assert api(case.raised_by).get(reverse("api:cases")).status_code == 200


def test_the_api_token_command_revokes_a_token(oscb, case):
    token, text = token_create(user=case.raised_by)
    out = io.StringIO()
    call_command("api_token", case.raised_by.username, "--revoke", token.prefix, stdout=out)
    assert "revoked" in out.getvalue()
    problem(Client(HTTP_AUTHORIZATION=f"Bearer {text}").get(reverse("api:cases")), 401)


def test_a_token_over_its_rate_gets_429_problem(oscb, case, settings):
    settings.RESOLVE_API_RATE = "2/minute"
    cache.clear()
    client = api(case.raised_by)
    url = reverse("api:cases")
    with time_machine.travel(MON_NOON, tick=False):
        assert [client.get(url).status_code for _ in range(2)] == [200, 200]
        body = problem(client.get(url), 429)
        assert body["detail"]
        # Another token of the same person has its own count.
        assert api(case.raised_by).get(url).status_code == 200
    with time_machine.travel(MON_NOON + dt.timedelta(minutes=2), tick=False):
        assert client.get(url).status_code == 200
    cache.clear()
