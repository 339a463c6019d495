"""The safeguarding lead's overdue page and the board's pages, in real Chromium: reached from
the navigation, filtered and sorted with the real controls, the timeline preview filled in by
its labels. axe-core scans every page (tests/e2e/conftest.py)."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.utils import timezone

from agencies.enums import Role


def test_lead_sees_overdue_cases_and_board_staff_see_cases_and_policies(visitor, make_world):
    world = make_world("oscb-children")
    with time_machine.travel(timezone.now() - dt.timedelta(days=30), tick=True):
        overdue = world.raise_case(risk_of_significant_harm=True)
        late = world.raise_case(category="service-provision")
    recent = world.raise_case(category="roles-and-responsibilities")
    v = visitor

    # The challenging agency's safeguarding lead: the count in the navigation, the page.
    v.sign_in(world.person("challenging", Role.SAFEGUARDING_LEAD))
    overdue_link = v.page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name=re.compile(r"^Overdue")
    )
    assert overdue_link.inner_text().split()[:2] == ["Overdue", "2"]
    v.click(overdue_link)
    assert v.heading() == "Overdue and due soon"
    table = v.page.locator("main table")
    assert overdue.reference in table.inner_text()
    assert late.reference in table.inner_text()
    assert recent.reference not in table.inner_text()  # due in 5 working days: not yet soon
    row = table.locator("tbody tr", has_text=overdue.reference)
    assert row.locator(".govuk-tag").all_inner_texts() == ["Overdue", "At risk"]

    v.select("Risk of significant harm", "At risk of significant harm")
    v.click_button("Apply filters")
    assert overdue.reference in v.page.locator("main table").inner_text()
    assert late.reference not in v.page.locator("main table").inner_text()
    v.click_link("Clear filters")
    v.click_link(re.compile(r"^Case"))  # sort by reference
    rows = v.page.locator("main table tbody tr td:first-child a").all_inner_texts()
    assert sorted(rows) in (rows, rows[::-1])
    v.sign_out()

    # Board staff: every case of the partnership, a policy, its timeline preview.
    v.sign_in(world.person("board", Role.BOARD_STAFF))
    v.click_link("All cases")
    assert v.heading() == "Cases of the partnership"
    listed = v.page.locator("main table").inner_text()
    for case in (overdue, late, recent):
        assert case.reference in listed
    v.select("Risk of significant harm", "No risk flagged")
    v.click_button("Apply filters")
    listed = v.page.locator("main table").inner_text()
    assert overdue.reference not in listed
    assert recent.reference in listed

    v.click_link("Policies")
    assert v.heading() == "Policies"
    v.click_link("Oxfordshire Resolving Professional Concerns and Disagreements")
    assert v.heading() == "Oxfordshire Resolving Professional Concerns and Disagreements"
    v.click_button("Preview the timeline")
    date = v.page.get_by_role("group", name="Date the case is raised")
    date.get_by_label("Day").fill("23")
    date.get_by_label("Month").fill("12")
    date.get_by_label("Year").fill("2026")
    time = v.page.get_by_role("group", name="Time the case is raised")
    time.get_by_label("Hour").fill("15")
    time.get_by_label("Minute").fill("00")
    v.choose_in("Whose bank holidays count", "England")
    v.choose_in("Route", "Resolving professional concerns and disagreements")
    v.click_button("Show the timeline")
    # DESIGN.md's worked example: OSCB, England, raised Wed 23 Dec 2026 at 15:00.
    due = {
        str(r.locator("th").inner_text()).split("\n")[0]: str(r.locator("td").nth(1).inner_text())
        for r in v.page.locator("main table tbody tr").all()
    }
    assert due["Step 1"] == "17:00 Mon 4 Jan 2027"
    assert due["Step 2"] == "17:00 Tue 12 Jan 2027"
    assert due["Step 5"] == "17:00 Fri 5 Feb 2027"
    v.sign_out()


def test_error_summary_on_a_bad_timeline_date(visitor, make_world):
    """Bad input shows the error summary, which links to the field at fault."""
    world = make_world("sab-adults")
    v = visitor
    v.sign_in(world.person("board", Role.BOARD_STAFF))
    v.open("/policies/sab-adults/timeline/?start_day=31&start_month=2&start_year=2027")
    assert v.page.title().startswith("Error: ")
    summary = v.page.locator(".govuk-error-summary")
    assert summary.get_by_role("heading").inner_text() == "There is a problem"
    first = summary.get_by_role("link").first
    target = first.get_attribute("href")
    assert target and target.startswith("#")
    assert v.page.locator(target).count() == 1
