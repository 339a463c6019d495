"""The board report's figures through the API: the report page's figures (build_report over
reports/selectors.py) for the page's filters, with the exports' small-number rule; for board
staff and strategic managers only; bad filters refused field by field. The scenario of
tests/reports/scenario.py, with its known answers."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from agencies.enums import Role
from api.tokens import token_create
from reports.conf import FEWER_THAN_5
from reports.report import build_report
from reports.selectors import ReportFilters
from tests.api.calls import problem
from tests.escalation.world import preset_world
from tests.reports.scenario import NOW, Scenario, build_scenario

pytestmark = pytest.mark.django_db
URL = "/api/v1/report/"


@pytest.fixture
def scenario(presets) -> Scenario:
    return build_scenario(preset_world(presets, "oscb-children"))


def get(user: Any, **query: Any) -> Any:
    with time_machine.travel(NOW, tick=False):
        _, text = token_create(user=user, name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {text}").get(URL, query)


def board(scenario: Scenario) -> Any:
    return scenario.world.person("board", Role.BOARD_STAFF)


def figure(body: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in body["figures"] if f["key"] == key)


def test_the_url():
    assert reverse("api:report") == URL


@pytest.mark.parametrize("role", [Role.BOARD_STAFF, Role.STRATEGIC_MANAGER])
def test_board_staff_and_strategic_managers_get_the_figures(scenario, role):
    response = get(scenario.world.person("board", role))
    assert response.status_code == 200
    body = response.json()
    world = scenario.world
    assert body["partnership"] == {"code": world.partnership.code, "name": world.partnership.name}
    assert body["filters"] == [{"name": "Filters", "value": "All cases"}]
    # Dec 2026: 5 raised, 2 resolved; Jan 2027: 2 raised, 3 resolved (the exports' values).
    months = figure(body, "by-month")
    assert months["columns"][0] and len(months["columns"]) == 3
    assert months["rows"] == [
        {"label": "Dec 2026", "values": [5, FEWER_THAN_5]},
        {"label": "Jan 2027", "values": [FEWER_THAN_5, FEWER_THAN_5]},
    ]
    # Every figure is the report's own, as an export carries it.
    report = build_report(partnership=world.partnership, filters=ReportFilters(), now=NOW)
    assert [f["key"] for f in body["figures"]] == [f.key for f in report.figures]
    for shown, made in zip(body["figures"], report.figures, strict=True):
        assert shown["title"] == made.title and shown["columns"] == made.columns
        assert [(r["label"], r["values"]) for r in shown["rows"]] == [
            (label, list(values)) for label, values in made.exported_rows()
        ]
    # The learning statements, without their cases; D's names its subject: withheld.
    assert sorted(s["text"] for s in body["statements"]) == sorted(scenario.statements.values())
    assert body["statements_notes"] == [
        "1 statement was withheld: it holds its case's subject initials or a record number."
    ]
    text = response.content.decode()
    for identifier in scenario.identifiers:
        assert identifier not in text, identifier


def test_the_filters_are_the_pages(scenario):
    response = get(board(scenario), raised_from="2027-01-01", outcome="resolved", risk="no")
    body = response.json()
    assert {f["name"] for f in body["filters"]} == {"Raised", "Outcome", "Risk of significant harm"}
    months = figure(body, "by-month")
    filters = ReportFilters(
        raised_from=NOW.date().replace(month=1, day=1), outcome="resolved", risk=False
    )
    report = build_report(partnership=scenario.world.partnership, filters=filters, now=NOW)
    assert [(r["label"], r["values"]) for r in months["rows"]] == [
        (label, list(values)) for label, values in report.figure("by-month").exported_rows()
    ]
    # Only G was raised in January and resolved: one case, so "fewer than 5".
    assert [r["label"] for r in months["rows"]] == ["Jan 2027"]
    assert months["rows"][0]["values"][0] == FEWER_THAN_5
    # Fewer than 5 statements for these filters: withheld, saying why.
    assert body["statements"] is None
    assert body["statements_notes"][0].startswith("The learning statements are withheld")


def test_bad_filters_get_400_with_every_field(scenario):
    body = problem(
        get(board(scenario), raised_from="yesterday", outcome="explode", risk="maybe", agency="x"),
        400,
    )
    assert set(body) == {"type", "title", "status", "detail", "errors"}
    assert set(body["errors"]) == {"raised_from", "outcome", "risk", "agency"}
    assert body["errors"]["raised_from"] == ["Enter a valid date."]
    body = problem(get(board(scenario), raised_from="2027-01-10", raised_to="2027-01-01"), 400)
    assert body["errors"] == {"raised_to": ["The end of the period must be on or after its start"]}


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("challenging", Role.PRACTITIONER),
        ("responding", Role.SENIOR_MANAGER),
        ("challenging", Role.SAFEGUARDING_LEAD),
        ("unrelated", Role.PRACTITIONER),
        ("board", Role.PARTNERSHIP_ADMIN),
    ],
)
def test_everyone_else_gets_403(scenario, where, role):
    body = problem(get(scenario.world.person(where, role)), 403)
    assert body["detail"] == "Reports are for board staff and strategic safeguarding managers."


def test_another_partnerships_report_is_403_and_their_own_has_none_of_these(scenario):
    body = problem(get(board(scenario), partnership="NOPE"), 403)
    assert body["detail"] == "You cannot read that partnership's reports."
    elsewhere = scenario.world.person("elsewhere", Role.BOARD_STAFF)
    problem(get(elsewhere, partnership=scenario.world.partnership.code), 403)
    own = get(elsewhere).json()
    assert own["partnership"]["code"] != scenario.world.partnership.code
    assert figure(own, "by-month")["rows"] == []


def test_signed_out_gets_401(client):
    problem(client.get(URL), 401)
