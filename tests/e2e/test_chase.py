"""Chasing an overdue step in real Chromium: the responding agency's safeguarding lead chases
from the overdue page with a reason; the named person who acts then finds the chase in their
inbox and the reason in the case's history. axe-core scans every page (tests/e2e/conftest.py).

The case is raised 30 days before the test runs: its first step (5 working days) is overdue
whatever the day, bank holidays included."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.utils import timezone

from agencies.enums import Role
from agencies.models import Membership
from tests.e2e.flows import signed_in
from tests.e2e.test_more_pages import deliver_notifications, unread_in_menu


def test_the_lead_chases_an_overdue_case_and_the_named_person_sees_it(visitor, make_world):
    world = make_world("oscb-children")
    responder = world.person("responding", Role.PRACTITIONER)
    responder.first_name, responder.last_name, responder.email = "Sam", "Peer", "sam@csc.example"
    responder.save()
    Membership.objects.filter(user=responder).update(
        job_title="Duty social worker", telephone="01632 960123"
    )
    with time_machine.travel(timezone.now() - dt.timedelta(days=30), tick=True):
        case = world.raise_case()
    deliver_notifications()  # the raising's, read or not, out of the way
    v = visitor

    with signed_in(v, world.person("responding", Role.SAFEGUARDING_LEAD)):
        v.click(
            v.page.get_by_role("navigation", name="Menu").get_by_role(
                "link", name=re.compile(r"^Overdue")
            )
        )
        assert v.heading() == "Overdue and due soon"
        v.click_link(f"Chase case {case.reference}")
        assert v.heading() == "Chase this step"
        assert "Sam Peer, Duty social worker, County Social Care" in v.main_text()
        v.click_button("Chase this step")  # no reason: the error summary
        assert v.page.title().startswith("Error: ")
        assert "Enter why you are chasing this step" in v.main_text()
        v.fill("Why are you chasing this step?", "No reply to two calls this week")
        v.click_button("Chase this step")
        assert v.heading() == f"Case {case.reference}"
        assert "is chased: the people who act at it and their line managers are told." in (
            v.banner()
        )
        people = v.page.locator("#step-1").get_by_test_id("named-people").inner_text()
        assert "Sam Peer, Duty social worker, County Social Care" in people
        assert "Telephone: 01632 960123" in people
        assert "E-mail: sam@csc.example" in people
        history = v.page.locator("#history + table").inner_text()
        assert "step 1 chased: No reply to two calls this week" in history

    assert deliver_notifications() == 2  # the two practitioners who act at step 1

    with signed_in(v, responder):
        assert unread_in_menu(v).startswith("Notifications 2")  # the raising, the chase
        v.click_link(re.compile(r"^Notifications"))
        assert v.heading() == "Notifications"
        titles = v.page.locator("main table tbody tr td:first-child a").all_inner_texts()
        assert titles[0] == f"Chased: case {case.reference}, step 1 is overdue"
        v.click_link(f"Chased: case {case.reference}, step 1 is overdue")
        assert v.heading() == f"Case {case.reference}"
        assert "step 1 chased: No reply to two calls this week" in (
            v.page.locator("#history + table").inner_text()
        )
