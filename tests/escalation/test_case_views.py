"""The case page and every action on a case: what each page shows, every form error, who may
see (404 otherwise) and who may act (403 otherwise), and forms left open while someone acted."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from agencies.enums import Role
from agencies.selectors import partnership_calendar
from escalation.deadlines import DeadlineRule
from escalation.domain import case_escalate, step_record_outcome, step_set_due
from escalation.enums import CaseStatus, DueSetBy, StepOutcome
from escalation.models import Case, CaseAccess, CaseStep, Learning
from escalation.queries.case_page import (
    case_history,
    step_deadline_in_words,
    time_left_in_words,
)
from escalation.queries.policies import case_route, rule_in_words

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
WED_TEN = dt.datetime(2027, 3, 10, 10, 0, tzinfo=LONDON)  # a plain working Wednesday

ACTIONS = [
    "case_record",
    "case_escalate",
    "case_skip",
    "case_resolve",
    "case_withdraw",
    "case_reassign",
    "case_set_due",
    "case_target",
]
PAGES = ["case", *ACTIONS]


@pytest.fixture(autouse=True)
def _wednesday_morning():
    with time_machine.travel(WED_TEN, tick=True):
        yield


def url(name: str, case: Case) -> str:
    return reverse(f"escalation:{name}", args=[case.reference])


def text(response: Any) -> str:
    return response.content.decode()


def fresh(case: Case) -> Case:
    return Case.objects.select_related("current_step").get(pk=case.pk)


def good_data(name: str, world: Any, case: Case) -> dict[str, Any]:
    """A POST each action accepts from a person allowed to take it."""
    data: dict[str, Any] = {"version": case.version}
    if name == "case_record":
        data.update(
            {
                "part_concerns": "Both agencies set out their concerns.",
                "meeting_held": "yes",
                "outcome": "escalate",
            }
        )
    elif name in ("case_escalate", "case_skip", "case_withdraw"):
        data["reason"] = "Not agreed at this step."
    elif name == "case_resolve":
        data.update(
            {
                "learning": "Thresholds need to be shared.",
                "themes": ["training"],
                "debrief_recommended": "no",
                "case_review_recommended": "no",
            }
        )
    elif name == "case_reassign":
        person = world.person("challenging", Role.SENIOR_MANAGER)
        data.update({"side": "challenging", "to_challenging": person.pk, "reason": "Away."})
    elif name == "case_set_due":
        due = dt.datetime(2027, 3, 12, 12, 0, tzinfo=LONDON)
        data.update({"due_at_day": due.day, "due_at_month": due.month, "due_at_year": due.year})
        data["due_at_time"] = "12:00"
    return data


def snapshot(case: Case) -> tuple[Any, ...]:
    case = fresh(case)
    steps = tuple(
        CaseStep.objects.filter(case=case)
        .order_by("number")
        .values_list(
            "number",
            "completed_at",
            "outcome",
            "record",
            "due_at",
            "challenging_assignee",
            "responding_assignee",
        )
    )
    return (case.version, case.status, case.current_step_id, steps, Learning.objects.count())


# --- who may see: everyone else gets a 404 that says nothing --------------------------------


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("unrelated", Role.PRACTITIONER),
        ("unrelated", Role.SAFEGUARDING_LEAD),
        ("elsewhere", Role.LINE_MANAGER),
        ("elsewhere", Role.BOARD_STAFF),
    ],
)
def test_people_who_may_not_see_the_case_get_404_on_get_and_post(client, oscb, name, where, role):
    case = oscb.raise_case(risk_of_significant_harm=True)
    before = snapshot(case)
    client.force_login(oscb.person(where, role))
    for response in (
        client.get(url(name, case)),
        client.post(url(name, case), good_data(name, oscb, case)),
    ):
        assert response.status_code == 404
        body = text(response)
        for secret in (
            case.reference,
            case.disagreement,
            case.impact,
            case.responding_professional,
            oscb.challenging.name,
        ):
            assert secret not in body
    assert snapshot(case) == before
    assert CaseAccess.objects.count() == 0


def test_case_page_needs_sign_in(client, oscb):
    case = oscb.raise_case()
    response = client.get(url("case", case))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- who may see but not act: no buttons, and a 403 ------------------------------------------


def test_board_staff_see_the_case_without_any_action(client, oscb):
    case = oscb.raise_case(risk_of_significant_harm=True)
    client.force_login(oscb.person("board", Role.BOARD_STAFF))
    response = client.get(url("case", case))
    assert response.status_code == 200
    body = text(response)
    assert case.disagreement in body
    assert "Nothing on it is yours to do at this step" in body
    for name in ACTIONS:
        assert url(name, case) not in body


@pytest.mark.parametrize("name", ACTIONS)
def test_a_viewer_who_may_not_act_gets_403_and_nothing_changes(client, oscb, name):
    case = oscb.raise_case(risk_of_significant_harm=True)
    before = snapshot(case)
    client.force_login(oscb.person("board", Role.BOARD_STAFF))
    assert client.get(url(name, case)).status_code == 403
    response = client.post(url(name, case), good_data(name, oscb, case))
    assert response.status_code == 403
    assert "You cannot do that" in text(response)
    assert snapshot(case) == before


@pytest.mark.parametrize("name", ["case_record", "case_escalate", "case_resolve", "case_skip"])
def test_a_party_manager_not_acting_at_the_step_gets_403(client, oscb, name):
    case = oscb.raise_case(risk_of_significant_harm=True)
    before = snapshot(case)
    manager = oscb.person("responding", Role.SENIOR_MANAGER)
    client.force_login(manager)
    page = text(client.get(url("case", case)))
    assert url(name, case) not in page
    assert url("case_reassign", case) in page  # a manager of a party may name who acts
    assert client.get(url(name, case)).status_code == 403
    assert client.post(url(name, case), good_data(name, oscb, case)).status_code == 403
    assert snapshot(case) == before


def test_skip_is_not_offered_without_risk(client, oscb):
    case = oscb.raise_case(risk_of_significant_harm=False)
    client.force_login(case.raised_by)
    page = text(client.get(url("case", case)))
    assert url("case_record", case) in page
    assert url("case_skip", case) not in page
    assert client.get(url("case_skip", case)).status_code == 403


def test_a_closed_case_offers_nothing(client, oscb):
    case = oscb.raise_case()
    client.force_login(case.raised_by)
    client.post(url("case_withdraw", case), good_data("case_withdraw", oscb, case))
    case = fresh(case)
    assert case.status == CaseStatus.WITHDRAWN
    page = text(client.get(url("case", case)))
    for name in ACTIONS:
        assert url(name, case) not in page
    assert "Withdrawn" in page
    assert client.get(url("case_record", case)).status_code == 403


def test_a_form_opened_before_the_step_moved_on_says_the_case_changed(client, oscb):
    """The raiser's escalate form is stale once another acted: they no longer act at step 2,
    but they are told the case changed rather than refused."""
    case = oscb.raise_case()
    version = case.version
    case_escalate(
        case=case,
        by=oscb.person("responding", Role.PRACTITIONER),
        reason="Not agreed",
        expected_version=version,
    )
    before = snapshot(case)
    client.force_login(case.raised_by)
    response = client.post(url("case_escalate", case), {"version": version, "reason": "Again"})
    assert response.status_code == 409
    assert "This case changed since you opened it" in text(response)
    assert snapshot(case) == before


# --- a form left open while someone else acted -----------------------------------------------


def _bump(world: Any, case: Case) -> Case:
    """Someone else changes the case: the raiser brings the due moment an hour forward."""
    step = fresh(case).current_step
    assert step.due_at is not None
    return step_set_due(
        case=case,
        by=case.raised_by,
        due_at=step.due_at - dt.timedelta(hours=1),
        expected_version=fresh(case).version,
    )


ACTOR_FOR = {
    "case_record": lambda w, c: c.raised_by,
    "case_escalate": lambda w, c: c.raised_by,
    "case_skip": lambda w, c: c.raised_by,
    "case_resolve": lambda w, c: c.raised_by,
    "case_withdraw": lambda w, c: c.raised_by,
    "case_reassign": lambda w, c: w.person("challenging", Role.LINE_MANAGER),
    "case_set_due": lambda w, c: c.raised_by,
    "case_target": lambda w, c: c.raised_by,
}


@pytest.mark.parametrize("name", ACTIONS)
def test_a_stale_form_saves_nothing_and_says_so(client, oscb, name):
    case = oscb.raise_case(risk_of_significant_harm=True)
    person = ACTOR_FOR[name](oscb, case)
    client.force_login(person)
    assert client.get(url(name, case)).status_code == 200
    data = good_data(name, oscb, case)  # the version as the form was opened
    _bump(oscb, case)
    before = snapshot(case)
    response = client.post(url(name, case), data)
    assert response.status_code == 409
    body = text(response)
    assert "This case changed since you opened it" in body
    assert "Nothing was saved" in body
    assert f'href="{url("case", case)}"' in body
    assert "<title>Error: " in body
    assert snapshot(case) == before


def test_a_form_without_its_version_is_treated_as_stale(client, oscb):
    case = oscb.raise_case()
    client.force_login(case.raised_by)
    before = snapshot(case)
    response = client.post(url("case_withdraw", case), {"reason": "No version"})
    assert response.status_code == 409
    assert "This case changed since you opened it" in text(response)
    assert snapshot(case) == before


# --- each action works for the right person --------------------------------------------------


def test_record_then_escalate(client, oscb):
    case = oscb.raise_case()
    client.force_login(case.raised_by)
    page = client.get(url("case_record", case))
    assert page.status_code == 200
    body = text(page)
    assert "The current concerns - sharing perspectives" in body  # the policy's labels
    assert "What have you done so far?" in body  # OSCB Appendix A
    assert "Not resolved: escalate to Step 2" in body
    response = client.post(
        url("case_record", case),
        {
            "version": case.version,
            "part_concerns": "Health worried about neglect.",
            "part_thoughts-and-feelings": "Both frustrated.",
            "part_impact": "The child is missing school.",
            "part_ways-forward": "None agreed.",
            "part_agreed-actions": "Escalate; tell both line managers.",
            "part_copy-sent-to": "County Social Care",
            "part_recorded-on_day": "10",
            "part_recorded-on_month": "3",
            "part_recorded-on_year": "2027",
            "meeting_held": "yes",
            "outcome": "escalate",
        },
    )
    assert response.status_code == 302
    assert response.url == url("case_escalate", case)
    step = fresh(case).current_step
    assert step.number == 1
    assert step.record["concerns"] == "Health worried about neglect."
    assert step.record["thoughts-and-feelings"] == "Both frustrated."
    assert step.record["resolution-reached"] == "no"
    assert step.record["recorded-on"] == "2027-03-10"
    assert step.meeting_held is True
    assert step.recorded_by == case.raised_by

    confirm = client.get(response.url)
    assert "The record of Step 1" in text(confirm)  # the banner
    assert "Confirm and escalate" in text(confirm)
    done = client.post(
        url("case_escalate", case),
        {"version": fresh(case).version, "reason": "Could not agree."},
        follow=True,
    )
    case = fresh(case)
    assert case.current_step.number == 2
    first = case.steps.get(number=1)
    assert first.outcome == StepOutcome.ESCALATED
    assert first.outcome_reason == "Could not agree."
    assert first.completed_by == fresh(case).raised_by
    body = text(done)
    assert "govuk-notification-banner--success" in body
    assert f"Case {case.reference} is escalated to Step 2" in body
    assert "Health worried about neglect." in body  # the written record on the case page
    assert "Could not agree." in body  # the history's reason


def test_record_leads_to_resolve_and_resolve_records_learning(client, oscb):
    case = oscb.raise_case()
    client.force_login(case.raised_by)
    response = client.post(
        url("case_record", case),
        {
            "version": case.version,
            "part_ways-forward": "Assessment to go ahead.",
            "meeting_held": "no",
            "outcome": "resolve",
        },
    )
    assert response.url == url("case_resolve", case)
    assert fresh(case).current_step.record["resolution-reached"] == "yes"
    page = client.get(response.url)
    assert "Confirm and resolve" in text(page)
    assert "Protocols and procedures" in text(page)
    done = client.post(
        url("case_resolve", case),
        {
            "version": fresh(case).version,
            "learning": "Share the threshold guidance with the duty team.",
            "themes": ["threshold-guidance", "communication-between-agencies"],
            "debrief_recommended": "yes",
            "case_review_recommended": "no",
        },
        follow=True,
    )
    case = fresh(case)
    assert case.status == CaseStatus.RESOLVED
    learning = Learning.objects.get(case=case)
    assert learning.themes == ["communication-between-agencies", "threshold-guidance"]
    assert learning.debrief_recommended is True
    assert learning.case_review_recommended is False
    body = text(done)
    assert f"Case {case.reference} is resolved." in body
    assert "Threshold guidance" in body
    assert "Share the threshold guidance with the duty team." in body


def test_skip_when_at_risk(client, oscb):
    case = oscb.raise_case(risk_of_significant_harm=True)
    client.force_login(case.raised_by)
    page = text(client.get(url("case", case)))
    assert url("case_skip", case) in page
    response = client.post(
        url("case_skip", case), {"version": case.version, "reason": "Child at immediate risk."}
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.current_step.number == 2
    step = case.steps.get(number=1)
    assert step.outcome == StepOutcome.SKIPPED
    assert step.outcome_reason == "Child at immediate risk."


def test_withdraw(client, oscb):
    case = oscb.raise_case()
    client.force_login(oscb.person("challenging", Role.LINE_MANAGER))
    response = client.post(
        url("case_withdraw", case),
        {"version": case.version, "reason": "New information came to light."},
        follow=True,
    )
    case = fresh(case)
    assert case.status == CaseStatus.WITHDRAWN
    assert case.closed_reason == "New information came to light."
    assert f"Case {case.reference} is withdrawn." in text(response)


def test_reassign(client, oscb):
    case = oscb.raise_case()
    manager = oscb.person("responding", Role.SAFEGUARDING_LEAD)
    chosen = oscb.person("responding", Role.LINE_MANAGER)
    client.force_login(manager)
    page = text(client.get(url("case_reassign", case)))
    assert chosen.get_full_name() in page
    assert oscb.person("unrelated", Role.LINE_MANAGER).get_full_name() not in page
    assert oscb.person("board", Role.BOARD_STAFF).get_full_name() not in page
    response = client.post(
        url("case_reassign", case),
        {
            "version": case.version,
            "side": "responding",
            "to_responding": chosen.pk,
            "reason": "Away",
        },
        follow=True,
    )
    step = fresh(case).current_step
    assert step.responding_assignee == chosen
    assert f"{chosen.get_full_name()}" in text(response)
    assert "now acts at this step" in text(response)


def test_set_due_earlier_then_later_with_a_reason(client, oscb):
    case = oscb.raise_case()
    client.force_login(case.raised_by)
    page = text(client.get(url("case_set_due", case)))
    assert "How this was worked out" in page
    assert 'name="due_at_day"' in page and 'name="due_at_time"' in page
    response = client.post(
        url("case_set_due", case),
        {
            "version": case.version,
            "due_at_day": "12",
            "due_at_month": "3",
            "due_at_year": "2027",
            "due_at_time": "12:00",
        },
        follow=True,
    )
    step = fresh(case).current_step
    assert step.due_at == dt.datetime(2027, 3, 12, 12, 0, tzinfo=LONDON)
    assert step.due_set_by == DueSetBy.EARLIER
    assert "is now due 12:00 Fri 12 Mar 2027" in text(response)

    later = client.post(
        url("case_set_due", case),
        {
            "version": fresh(case).version,
            "due_at_day": "19",
            "due_at_month": "3",
            "due_at_year": "2027",
            "due_at_time": "17:00",
            "reason": "The meeting could only be arranged for next week.",
        },
    )
    assert later.status_code == 302
    step = fresh(case).current_step
    assert step.due_at == dt.datetime(2027, 3, 19, 17, 0, tzinfo=LONDON)
    assert step.due_set_by == DueSetBy.LATER
    assert step.due_change_reason == "The meeting could only be arranged for next week."


def test_meet_target(client, oscb):
    case = oscb.raise_case()
    client.force_login(oscb.person("responding", Role.PRACTITIONER))
    page = text(client.get(url("case", case)))
    assert url("case_target", case) in page
    response = client.post(url("case_target", case), {"version": case.version}, follow=True)
    target = case.steps.get(number=0)
    assert target.outcome == StepOutcome.MET
    assert "is marked as met" in text(response)
    assert url("case_target", case) not in text(client.get(url("case", case)))
    assert client.get(url("case_target", case)).status_code == 403


# --- form errors: the error summary, the inline error, and nothing saved ----------------------


def _assert_error(response: Any, *messages: str) -> None:
    body = text(response)
    assert response.status_code == 200
    assert "<title>Error: " in body
    assert "govuk-error-summary" in body
    for message in messages:
        assert body.count(message) >= 2, message  # in the summary and beside the field


@pytest.mark.parametrize(
    ("name", "data", "messages"),
    [
        (
            "case_record",
            {},
            [
                "Write the record of this step: at least one of its parts",
                "Select yes if a meeting was held",
                "Select the outcome of this step",
            ],
        ),
        (
            "case_record",
            {
                "part_concerns": "x",
                "meeting_held": "yes",
                "outcome": "resolve",
                "part_recorded-on_day": "31",
                "part_recorded-on_month": "2",
                "part_recorded-on_year": "2027",
            },
            ["Date must be a real date"],
        ),
        (
            "case_escalate",
            {"reason": "  "},
            ["Enter why the disagreement is not resolved at this step"],
        ),
        ("case_skip", {}, ["Enter why this step must be skipped"]),
        ("case_withdraw", {}, ["Enter why the challenge is withdrawn"]),
        (
            "case_resolve",
            {},
            [
                "Enter what should be learned from this disagreement",
                "Select yes if you recommend a debrief",
                "Select yes if you recommend a multi-agency case review",
            ],
        ),
        (
            "case_reassign",
            {},
            ["Select the side you are naming someone for", "Enter why the step is reassigned"],
        ),
        (
            "case_reassign",
            {"side": "challenging", "reason": "x"},
            ["Select the person who should act"],
        ),
        ("case_set_due", {}, ["Enter the new due date and time"]),
        (
            "case_set_due",
            {"due_at_day": "12", "due_at_year": "2027", "due_at_time": "12:00"},
            ["New due moment must include a month"],
        ),
        (
            "case_set_due",
            {
                "due_at_day": "12",
                "due_at_month": "3",
                "due_at_year": "2027",
                "due_at_time": "25:00",
            },
            ["enter the time on the 24-hour clock"],
        ),
        (
            "case_set_due",
            {"due_at_day": "1", "due_at_month": "3", "due_at_year": "2027", "due_at_time": "12:00"},
            ["The due moment must be in the future"],
        ),
        (
            "case_set_due",
            {
                "due_at_day": "31",
                "due_at_month": "3",
                "due_at_year": "2027",
                "due_at_time": "12:00",
            },
            ["Give the reason for a due moment later than the policy"],
        ),
    ],
)
def test_form_errors_show_the_summary_and_save_nothing(client, oscb, name, data, messages):
    case = oscb.raise_case(risk_of_significant_harm=True)
    person = ACTOR_FOR[name](oscb, case)
    client.force_login(person)
    before = snapshot(case)
    response = client.post(url(name, case), {"version": case.version, **data})
    _assert_error(response, *messages)
    assert snapshot(case) == before


def test_the_error_summary_links_to_the_first_date_box(client, oscb):
    case = oscb.raise_case()
    client.force_login(case.raised_by)
    response = client.post(url("case_set_due", case), {"version": case.version})
    body = text(response)
    assert 'href="#id_due_at"' in body
    assert 'id="id_due_at"' in body  # the day box
    assert "govuk-input--error" in body


def test_a_step_that_requires_a_meeting_refuses_a_record_without_one(client, ssab):
    case = ssab.raise_case()
    for _ in range(2):
        actor = ssab.any_actor(case)
        case = case_escalate(case=case, by=actor, reason="No", expected_version=case.version)
    assert case.current_step.number == 3
    actor = ssab.person("board", Role.STRATEGIC_MANAGER)
    client.force_login(actor)
    before = snapshot(case)
    page = text(client.get(url("case_record", case)))
    assert "This step requires a meeting." in page
    response = client.post(
        url("case_record", case),
        {
            "version": case.version,
            "part_summary": "Decisions made.",
            "meeting_held": "no",
            "outcome": "escalate",
        },
    )
    _assert_error(response, "requires a meeting: record the meeting before its outcome")
    assert snapshot(case) == before


def test_ssab_record_uses_its_pro_forma_section(client, ssab):
    case = ssab.raise_case()
    actor = ssab.any_actor(case)
    client.force_login(actor)
    page = text(client.get(url("case_record", case)))
    assert "Name &amp; Position of Line Manager implementing Stage One" in page
    assert 'type="tel"' in page
    assert 'name="part_signature"' not in page  # never typed: the service signs
    assert "you do not type a signature" in page
    assert "The 5-part restorative framework" not in page  # Oxfordshire's, not the SSAB's
    assert "Open and curious questions" not in page  # Appendix A is Oxfordshire's
    response = client.post(
        url("case_record", case),
        {
            "version": case.version,
            "part_implementing-line-manager": "A. Manager, Team Leader",
            "part_contacted-email": "not-an-email",
            "part_summary": "Both views heard.",
            "meeting_held": "yes",
            "outcome": "escalate",
        },
    )
    _assert_error(response, "Enter an email address in the correct format")
    response = client.post(
        url("case_record", case),
        {
            "version": case.version,
            "part_implementing-line-manager": "A. Manager, Team Leader",
            "part_contacted-email": "b.manager@example.org",
            "part_summary": "Both views heard.",
            "part_signature": "Typed By Hand",  # no such field: a signature is never typed
            "meeting_held": "yes",
            "outcome": "escalate",
        },
    )
    assert response.status_code == 302
    record = fresh(case).current_step.record
    assert record["implementing-line-manager"] == "A. Manager, Team Leader"
    assert record["contacted-email"] == "b.manager@example.org"
    assert record["resolution-reached"] == "no"
    assert "signature" not in record
    page = text(client.get(url("case", case)))
    assert "Stage One of Resolving Professional Differences" in page
    assert "A. Manager, Team Leader" in page
    assert "Typed By Hand" not in page
    signer = fresh(case).current_step.recorded_by
    assert f"{signer.get_full_name()}, confirmed in Resolve at" in page


def test_last_step_offers_only_resolution(client, sab):
    case = sab.raise_case()
    for _ in range(3):
        case = case_escalate(
            case=case, by=sab.any_actor(case), reason="No", expected_version=case.version
        )
    assert case_route(case).step_after(case.current_step.number) is None
    client.force_login(sab.any_actor(case))
    page = text(client.get(url("case_record", case)))
    assert "Resolved: the disagreement is settled at this step" in page
    assert "Not resolved: escalate" not in page
    case_page = text(client.get(url("case", case)))
    assert url("case_escalate", case) not in case_page
    assert client.get(url("case_escalate", case)).status_code == 403


def test_reassign_refuses_someone_outside_the_sides_agency(client, oscb):
    """A person chosen to act must work in that side's agency: the choice list enforces it."""
    case = oscb.raise_case()
    client.force_login(oscb.person("responding", Role.LINE_MANAGER))
    before = snapshot(case)
    outsider = oscb.person("unrelated", Role.LINE_MANAGER)
    response = client.post(
        url("case_reassign", case),
        {
            "version": case.version,
            "side": "responding",
            "to_responding": outsider.pk,
            "reason": "x",
        },
    )
    _assert_error(response, "Select a valid choice")
    assert snapshot(case) == before


# --- the case page ----------------------------------------------------------------------------


def test_case_page_shows_summary_timeline_and_logs_the_read(client, oscb):
    case = oscb.raise_case()
    reader = oscb.person("responding", Role.LINE_MANAGER)
    client.force_login(reader)
    response = client.get(url("case", case))
    assert response.status_code == 200
    body = text(response)
    for shown in (
        case.reference,
        case.disagreement,
        case.impact,
        "Hillside Health",
        "County Social Care",
        "A. Social Worker, duty team",
        "Criteria for referrals",  # the category's name in the policy
        "Resolving professional concerns and disagreements",  # the route's name
        "initials JD",
        "Current step",
        "5 working days left after today",  # Wed 10:00 to Wed 17 Mar
        "How this was worked out",
        "To come",
        "Step 5 - Local Authority Deputy Director for Safeguarding",
        "Local Authority Deputy Director for Safeguarding (reports to",  # who acts, in words
        "5 working days",
        "History of changes",
    ):
        assert shown in body, shown
    assert CaseAccess.objects.filter(case=case, user=reader, what="case page").count() == 1


def test_case_page_lists_the_steps_as_a_task_list(client, oscb):
    case = oscb.raise_case()
    case = case_escalate(case=case, by=case.raised_by, reason="No", expected_version=1)
    client.force_login(case.raised_by)
    page = text(client.get(url("case", case)))
    tasks = page.split('<ul class="govuk-task-list"', 1)[1].split("</ul>", 1)[0]
    items = re.findall(
        r'href="#(step-\d)".*?>([^<]+)</a>.*?govuk-task-list__status([^"]*)"[^>]*>(.*?)</div>',
        tasks,
        flags=re.S,
    )
    states = [
        (anchor, cls.strip(), re.sub(r"<[^>]+>", "", status)) for anchor, _n, cls, status in items
    ]
    assert states == [
        ("step-0", "", "Passed: the case moved on"),  # the target beside step 1 ends with it
        ("step-1", "", "Escalated"),
        ("step-2", "", "Current step"),
        ("step-3", "govuk-task-list__status--cannot-start-yet", "Not reached"),
        ("step-4", "govuk-task-list__status--cannot-start-yet", "Not reached"),
        ("step-5", "govuk-task-list__status--cannot-start-yet", "Not reached"),
    ]
    assert 'id="step-2"' in page  # each links to its step's detail below


def test_case_page_shows_route_answers(client, oscb):
    case = oscb.raise_case(
        route="conference-dissent",
        route_details={
            "dissenting-professional": "Dr P. Example",
            "reason": "The plan leaves the child at home.",
            "attended": "yes",
        },
    )
    client.force_login(case.raised_by)
    body = text(client.get(url("case", case)))
    assert "Dissent at a Child Protection Conference" in body
    assert "Name of the dissenting professional" in body
    assert "Dr P. Example" in body
    assert "Did the dissenting professional attend the conference?" in body


def test_to_come_steps_say_what_risk_changes(client, sab):
    case = sab.raise_case()
    client.force_login(case.raised_by)
    body = text(client.get(url("case", case)))
    assert "5 working days; same working day when at risk" in body
    at_risk = sab.raise_case(risk_of_significant_harm=True)
    body = text(client.get(url("case", at_risk)))
    assert "Same working day (at risk of significant harm; otherwise 5 working days)" in body


def test_history_names_who_changed_what_and_why(client, oscb):
    case = oscb.raise_case()
    client.force_login(case.raised_by)
    client.post(url("case_escalate", case), {"version": case.version, "reason": "Stuck."})
    rows = case_history(case=case)
    assert rows[0].at >= rows[-1].at
    assert any(
        r.what == "Case"
        and r.change == "step 1 escalated: Stuck."
        and r.who == case.raised_by.get_full_name()
        for r in rows
    )
    assert any(r.change == "step 2 started" for r in rows)
    assert [r.change for r in rows].count("raised") == 1  # the raising saves twice, shown once
    body = text(client.get(url("case", case)))
    assert "step 1 escalated: Stuck." in body


def test_an_overdue_step_is_tagged_and_counted(client, oscb):
    case = oscb.raise_case()
    with time_machine.travel(dt.datetime(2027, 3, 19, 11, 0, tzinfo=LONDON), tick=False):
        client.force_login(case.raised_by)  # signed in that morning: a sign-in lasts a day
        body = text(client.get(url("case", case)))
    assert "Overdue by 2 working days" in body  # due Wed 17 Mar 17:00; Thu and Fri since
    assert "govuk-tag--red" in body


# --- the words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"kind": "working_days", "amount": 5}, "5 working days"),
        ({"kind": "working_days", "amount": 1}, "1 working day"),
        (
            {"kind": "working_days", "amount": 5, "from": "raised"},
            "5 working days from the raising of the case",
        ),
        ({"kind": "same_working_day"}, "same working day"),
        ({"kind": "clock_hours", "amount": 24}, "24 clock hours"),
        ({"kind": "none"}, "no deadline"),
    ],
)
def test_rule_in_words(data, words):
    assert rule_in_words(DeadlineRule.from_data(data)) == words


@pytest.mark.parametrize(
    ("data", "after_due", "sentence"),
    [
        (
            {"kind": "working_days", "amount": 5},
            "within 5 working days",
            "5 working days from the start of the step",
        ),
        (
            {"kind": "clock_hours", "amount": 1, "from": "raised"},
            "within 1 clock hour of the raising of the case",
            "1 clock hour from the raising of the case",
        ),
        (
            {"kind": "same_working_day"},
            "by close of business on the working day it starts",
            "Close of business on the working day the step starts",
        ),
        ({"kind": "none"}, "with no deadline", "No deadline"),
    ],
)
def test_rule_in_words_as_the_raise_and_policy_pages_say_it(data, after_due, sentence):
    rule = DeadlineRule.from_data(data)
    assert rule_in_words(rule, wording="after_due") == after_due
    assert rule_in_words(rule, wording="sentence") == sentence


def test_step_deadline_in_words_names_the_risk_rule(sab):
    spec = sab.partnership.adopted_policy.versions.first()
    from escalation.queries.policies import policy_spec

    step = policy_spec(spec).standard_route.step(1)
    assert step_deadline_in_words(step, risk=False) == (
        "5 working days; same working day when at risk"
    )
    assert step_deadline_in_words(step, risk=True) == (
        "same working day (at risk of significant harm; otherwise 5 working days)"
    )


@pytest.mark.parametrize(
    ("now", "due", "words"),
    [
        ((2027, 3, 10, 10, 0), (2027, 3, 10, 17, 0), "7 hours left (due today)"),
        ((2027, 3, 10, 16, 30), (2027, 3, 10, 17, 0), "less than an hour left (due today)"),
        ((2027, 3, 10, 10, 0), (2027, 3, 12, 17, 0), "2 working days left after today"),
        ((2027, 3, 10, 18, 0), (2027, 3, 12, 17, 0), "2 working days left"),
        ((2027, 3, 13, 10, 0), (2027, 3, 16, 17, 0), "2 working days left"),  # a Saturday
        ((2027, 3, 15, 10, 0), (2027, 3, 12, 17, 0), "Overdue by 1 working day"),
        ((2027, 3, 13, 9, 0), (2027, 3, 12, 17, 0), "Overdue by 16 hours"),
    ],
)
def test_time_left_in_words(oscb, now, due, words):
    calendar = partnership_calendar(partnership=oscb.partnership)
    assert (
        time_left_in_words(
            dt.datetime(*due, tzinfo=LONDON),
            now=dt.datetime(*now, tzinfo=LONDON),
            calendar=calendar,
        )
        == words
    )


def test_no_deadline_in_words(oscb):
    calendar = partnership_calendar(partnership=oscb.partnership)
    assert time_left_in_words(None, now=WED_TEN, calendar=calendar) == "No deadline"


def test_record_reads_with_the_policys_labels(client, oscb):
    case = oscb.raise_case()
    step_record_outcome(
        case=case,
        by=case.raised_by,
        record={"ways-forward": "Meet again on Friday."},
        meeting_held=True,
        expected_version=case.version,
    )
    client.force_login(case.raised_by)
    body = text(client.get(url("case", case)))
    assert "Together find ways forward to resolve the challenges" in body
    assert "Meet again on Friday." in body


def test_record_page_opens_with_the_record_so_far(client, oscb):
    case = oscb.raise_case()
    step_record_outcome(
        case=case,
        by=case.raised_by,
        record={"concerns": "Written before.", "recorded-on": "2027-03-09"},
        meeting_held=False,
        expected_version=case.version,
    )
    client.force_login(case.raised_by)
    body = text(client.get(url("case_record", case)))
    assert "Written before." in body
    assert 'name="part_recorded-on_day" type="text" inputmode="numeric" value="9"' in body
    assert 'id="id_meeting_held_1" name="meeting_held" type="radio" value="no" checked' in body


def test_a_lead_of_one_agency_may_not_name_who_acts_for_the_other(client, oscb):
    """Only a person of the acting side names who acts for it: the page offers only the
    person's own side, and refuses the other agency's side when it is posted."""
    case = oscb.raise_case()
    client.force_login(oscb.person("challenging", Role.SAFEGUARDING_LEAD))
    before = snapshot(case)
    page = text(client.get(url("case_reassign", case)))
    assert "Who should act for the Challenging agency (Hillside Health)?" in page
    assert "Who should act for the Responding agency" not in page
    response = client.post(
        url("case_reassign", case),
        {
            "version": case.version,
            "side": "responding",
            "to_responding": oscb.person("responding", Role.SENIOR_MANAGER).pk,
            "reason": "They are slow to reply",
        },
    )
    _assert_error(
        response,
        "Select your own agency&#x27;s side: only a person of the acting side may name who "
        "acts for it",
    )
    assert snapshot(case) == before


def test_reassign_takes_the_person_under_the_chosen_side(client, oscb):
    case = oscb.raise_case()
    client.force_login(oscb.person("challenging", Role.LINE_MANAGER))
    chosen = oscb.person("challenging", Role.SENIOR_MANAGER)
    ignored = oscb.person("responding", Role.LINE_MANAGER)
    response = client.post(
        url("case_reassign", case),
        {
            "version": case.version,
            "side": "challenging",
            "to_challenging": chosen.pk,
            "to_responding": ignored.pk,
            "reason": "The line manager is on leave.",
        },
    )
    assert response.status_code == 302
    step = fresh(case).current_step
    assert step.challenging_assignee == chosen
    assert step.responding_assignee is None


@pytest.mark.parametrize(
    ("world_name", "shown"),
    [("oscb", True), ("lscb", False), ("sab", False), ("ssab", False)],
)
def test_only_oxfordshire_offers_its_restorative_framework(client, request, world_name, shown):
    """The 5-step framework for restorative practice is Oxfordshire's section 4; the 4LSCB,
    SAB and SSAB originals do not contain it, so their record pages do not offer it."""
    world = request.getfixturevalue(world_name)
    case = world.raise_case()
    client.force_login(world.any_actor(case))
    page = text(client.get(url("case_record", case)))
    assert ("The 5-part restorative framework" in page) is shown
    assert ("The current concerns - sharing perspectives</li>" in page) is shown


def test_4lscb_stage_2_has_a_place_for_the_manager_who_disagrees_with_their_employee(client, lscb):
    case = lscb.raise_case()
    while case.current_step.number < 2:
        case = case_escalate(
            case=case, by=lscb.any_actor(case), reason="Not resolved", expected_version=case.version
        )
    client.force_login(lscb.any_actor(case))
    page = text(client.get(url("case_record", case)))
    assert "Does the manager disagree with their employee&#x27;s assessment?" in page
    assert "how and when it was confirmed with the other party" in page
