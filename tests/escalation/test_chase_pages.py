"""The chase page, its link on the case page and the overdue page, and the named people of the
current step on the case page. The case is raised at noon on Monday 23 November 2026 and
looked at an hour after its first step fell due, whatever the day the tests run."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from agencies.enums import Role
from agencies.models import Membership
from escalation.models import Case, StepChase
from notifications.enums import Event
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MON_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)


def url(name: str, case: Case) -> str:
    return reverse(f"escalation:{name}", args=[case.reference])


def text(response: Any) -> str:
    return response.content.decode()


def chased(case: Case) -> int:
    return OutboxMessage.objects.filter(case=case, event=Event.CASE_CHASED).count()


@pytest.fixture
def overdue(oscb):
    with time_machine.travel(MON_NOON, tick=False):
        case = oscb.raise_case()
    with time_machine.travel(case.current_step.due_at + dt.timedelta(hours=1), tick=False):
        yield case


def test_the_lead_chases_from_the_case_page(client, oscb, overdue):
    lead = oscb.person("responding", Role.SAFEGUARDING_LEAD)
    client.force_login(lead)
    page = text(client.get(url("case", overdue)))
    assert url("case_chase", overdue) in page
    form = text(client.get(url("case_chase", overdue)))
    assert "Chase this step" in form
    assert "Overdue by 1 hour" in form
    response = client.post(
        url("case_chase", overdue),
        {"version": overdue.version, "reason": "No reply to the strategy meeting invite"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("case", overdue)
    body = text(response)
    assert "is chased: the people who act at it and their line managers are told." in body
    assert "step 1 chased: No reply to the strategy meeting invite" in body  # the history
    assert chased(overdue) == 2  # the two practitioners (no line managers in this world)


def test_pressed_twice_the_page_says_it_was_chased_and_writes_nothing(client, oscb, overdue):
    client.force_login(oscb.person("board", Role.BOARD_STAFF))
    data = {"version": overdue.version, "reason": "Please reply"}
    assert client.post(url("case_chase", overdue), data).status_code == 302
    again = client.post(url("case_chase", overdue), data)
    assert again.status_code == 200
    assert "chased this step at" in text(again)
    assert "it can be chased again from" in text(again)
    assert chased(overdue) == 2
    assert StepChase.objects.filter(case=overdue).count() == 1


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why you are chasing this step"),
        ("x" * 2001, "The reason for chasing must be 2,000 characters or fewer"),
    ],
)
def test_the_forms_errors(client, oscb, overdue, reason, message):
    client.force_login(oscb.person("challenging", Role.SAFEGUARDING_LEAD))
    response = client.post(
        url("case_chase", overdue), {"version": overdue.version, "reason": reason}
    )
    body = text(response)
    assert response.status_code == 200
    assert "<title>Error: " in body
    assert body.count(message) >= 2  # the summary and beside the field
    assert chased(overdue) == 0
    assert Case.objects.get(pk=overdue.pk).version == overdue.version


def test_a_step_not_overdue_is_said_and_refused(client, oscb):
    with time_machine.travel(MON_NOON, tick=False):
        case = oscb.raise_case()
        client.force_login(oscb.person("challenging", Role.SAFEGUARDING_LEAD))
        assert url("case_chase", case) not in text(client.get(url("case", case)))
        page = text(client.get(url("case_chase", case)))
        assert "is not overdue: it is due 17:00 Mon 30 Nov 2026" in page
        response = client.post(url("case_chase", case), {"version": 1, "reason": "Slow"})
    assert "Only an overdue step can be chased." in text(response)
    assert chased(case) == 0


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("challenging", Role.PRACTITIONER),
        ("responding", Role.LINE_MANAGER),
        ("responding", Role.SENIOR_MANAGER),
    ],
)
def test_a_party_who_may_not_chase_gets_403(client, oscb, overdue, where, role):
    client.force_login(oscb.person(where, role))
    assert url("case_chase", overdue) not in text(client.get(url("case", overdue)))
    assert client.get(url("case_chase", overdue)).status_code == 403
    data = {"version": overdue.version, "reason": "x"}
    assert client.post(url("case_chase", overdue), data).status_code == 403
    assert chased(overdue) == 0


@pytest.mark.parametrize(
    ("where", "role"), [("unrelated", Role.SAFEGUARDING_LEAD), ("elsewhere", Role.BOARD_STAFF)]
)
def test_an_unrelated_agencys_lead_gets_404(client, oscb, overdue, where, role):
    client.force_login(oscb.person(where, role))
    assert client.get(url("case_chase", overdue)).status_code == 404
    data = {"version": overdue.version, "reason": "x"}
    response = client.post(url("case_chase", overdue), data)
    assert response.status_code == 404
    assert overdue.reference not in text(response)
    assert chased(overdue) == 0


def test_the_overdue_page_links_to_the_chase(client, oscb, overdue):
    client.force_login(oscb.person("challenging", Role.SAFEGUARDING_LEAD))
    page = text(client.get(reverse("escalation:overdue")))
    assert f'href="{url("case_chase", overdue)}"' in page


def test_the_case_page_names_who_acts_with_role_agency_telephone_and_email(client, oscb):
    responder = oscb.person("responding", Role.PRACTITIONER)
    responder.first_name, responder.last_name, responder.email = "Sam", "Peer", "sam@csc.example"
    responder.save()
    Membership.objects.filter(user=responder).update(
        job_title="Duty social worker", telephone="01632 960123"
    )
    with time_machine.travel(MON_NOON, tick=False):
        case = oscb.raise_case()
        client.force_login(oscb.person("challenging", Role.PRACTITIONER))
        page = text(client.get(url("case", case)))
    assert "Named people who act" in page
    assert "<strong>Sam Peer</strong>, Duty social worker, County Social Care" in page
    assert 'href="tel:01632960123">01632 960123</a>' in page
    assert 'href="mailto:sam@csc.example">sam@csc.example</a>' in page
    raiser = case.raised_by
    assert f"<strong>{raiser.get_full_name()}</strong>, Practitioner, Hillside Health" in page


def test_the_board_report_counts_the_chases(client, oscb, overdue):
    staff = oscb.person("board", Role.BOARD_STAFF)
    client.force_login(staff)
    before = text(client.get(reverse("reports:report")))
    assert 'id="total-chases">0<' in before
    data = {"version": overdue.version, "reason": "Overdue a week"}
    assert client.post(url("case_chase", overdue), data).status_code == 302
    after = text(client.get(reverse("reports:report")))
    assert "Chases of overdue steps" in after
    assert 'id="total-chases">1<' in after
