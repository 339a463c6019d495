"""The report page: who may read it, and what it shows (charts with tables, no identifiers)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from agencies.enums import Role
from reports.rules import is_report_reader
from reports.selectors import report_partnerships_for_user
from tests.reports.scenario import NOW

pytestmark = pytest.mark.django_db

URL = "/reports/"


def page(client, user, **query):
    with time_machine.travel(NOW, tick=False):
        client.force_login(user)  # signed in "now", so the session is fresh then
        return client.get(URL, query)


def test_the_url_is_reports():
    assert reverse("reports:report") == URL


@pytest.mark.parametrize("role", [Role.BOARD_STAFF, Role.STRATEGIC_MANAGER])
def test_board_staff_and_strategic_managers_read_the_report(client, scenario, role):
    response = page(client, scenario.world.person("board", role))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="total-cases">7<', html)


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("challenging", Role.PRACTITIONER),
        ("challenging", Role.LINE_MANAGER),
        ("responding", Role.PRACTITIONER),
        ("responding", Role.LINE_MANAGER),
        ("responding", Role.SENIOR_MANAGER),
        ("challenging", Role.SAFEGUARDING_LEAD),
        ("unrelated", Role.PRACTITIONER),
        ("unrelated", Role.LINE_MANAGER),
        ("board", Role.PARTNERSHIP_ADMIN),
    ],
)
def test_everyone_else_is_refused(client, scenario, where, role):
    user = scenario.world.person(where, role)
    assert page(client, user).status_code == 403
    assert not is_report_reader(user, scenario.world.partnership)
    client.force_login(user)
    response = client.post(reverse("reports:export"), {"format": "csv"})
    assert response.status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, scenario):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_board_staff_of_another_partnership_see_nothing_of_this_one(client, scenario):
    world = scenario.world
    other = world.person("elsewhere", Role.BOARD_STAFF)
    response = page(client, other)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="total-cases">0<', html)  # their own partnership, no cases
    assert world.partnership.name not in html
    for agency in (world.challenging, world.responding, world.unrelated):
        assert agency.name not in html
    # Asking for this partnership by its code is refused.
    assert page(client, other, partnership=world.partnership.code).status_code == 403
    client.force_login(other)
    export = client.post(
        reverse("reports:export"), {"format": "csv", "partnership": world.partnership.code}
    )
    assert export.status_code == 403
    assert list(report_partnerships_for_user(user=other)) != [world.partnership]


def test_the_rule_and_the_selector_agree(scenario):
    world = scenario.world
    for user in world.people.values():
        readable = set(report_partnerships_for_user(user=user))
        assert (world.partnership in readable) == is_report_reader(user, world.partnership)
        assert (world.partnership in readable) == user.has_perm(
            "reports.view_report", world.partnership
        )


def test_each_figure_is_an_svg_chart_with_a_table_beside_it(client, scenario):
    html = page(client, scenario.world.person("board", Role.BOARD_STAFF)).content.decode()
    keys = ["by-month", "time-to-resolve", "overdue", "resolved-at", "stalls", "themes", "dissent"]
    for key in keys:
        svg = re.search(
            rf'<svg[^>]*aria-labelledby="chart-{key}-title chart-{key}-desc"[^>]*>', html
        )
        assert svg, key
        assert 'role="img"' in svg.group(0)
        assert f'<title id="chart-{key}-title">' in html
        assert f'<desc id="chart-{key}-desc">' in html
        assert f'<table class="govuk-table" id="{key}-table">' in html
    assert "<script>" not in html  # no inline script: readable without JavaScript


def test_the_page_shows_the_hand_worked_figures(client, scenario):
    html = page(client, scenario.world.person("board", Role.BOARD_STAFF)).content.decode()
    table = html[html.index('id="time-to-resolve-table"') :]
    table = table[: table.index("</table>")]
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table)
    assert cells[cells.index("Median working days to resolve") + 1] == "4"
    assert cells[cells.index("90th percentile working days to resolve") + 1] == "9"


def test_the_page_carries_no_subject_identifier_or_free_text(client, scenario):
    html = page(client, scenario.world.person("board", Role.BOARD_STAFF)).content.decode()
    # The sign-out form's CSRF token is random letters and digits: two-letter initials turn
    # up in it by chance, so its value is left out of the search.
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*"', r'\1"', html)
    assert 'name="csrfmiddlewaretoken" value=""' in html
    for identifier in scenario.identifiers:
        assert identifier not in html, identifier


def test_filters_from_the_query_string(client, scenario):
    user = scenario.world.person("board", Role.BOARD_STAFF)
    html = page(client, user, route="conference-dissent").content.decode()
    assert re.search(r'id="total-cases">1<', html)
    html = page(client, user, outcome="withdrawn").content.decode()
    assert re.search(r'id="total-cases">1<', html)


def test_a_wrong_filter_shows_an_error_summary(client, scenario):
    user = scenario.world.person("board", Role.BOARD_STAFF)
    response = page(client, user, raised_from="2027-01-10", raised_to="2027-01-01")
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "The end of the period must be on or after its start" in html
    assert 'id="total-cases"' not in html
