"""The learning in words: the board report and each export list the learning statements of
the period, never a case's identifiers, filtered by theme; withheld cells say why."""

from __future__ import annotations

import csv
import io
import re

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from agencies.enums import Role
from reports.exports import _text
from reports.report import STATEMENTS_WITHHELD, build_report
from reports.selectors import (
    ReportFilters,
    report_learning_statements,
    statement_names_subject,
)
from reports.themes import Theme
from tests.reports.scenario import NOW

pytestmark = pytest.mark.django_db

WITHHELD_ONE = "1 statement was withheld: it holds its case's subject initials or a record number."
D_STATEMENT = "Learning summary D"


def board(scenario):
    return scenario.world.person("board", Role.BOARD_STAFF)


def page(client, user, **query) -> tuple[int, str]:
    with time_machine.travel(NOW, tick=False):
        client.force_login(user)
        response = client.get(reverse("reports:report"), query)
    html = response.content.decode()
    # The CSRF token is random letters: two-letter initials turn up in it by chance.
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*"', r'\1"', html)
    return response.status_code, html


def export(client, user, fmt, **filters) -> bytes:
    with time_machine.travel(NOW, tick=False):
        client.force_login(user)
        response = client.post(reverse("reports:export"), {"format": fmt, **filters})
    assert response.status_code == 200
    return response.content


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def scope(scenario, **filters):
    return {"partnership": scenario.world.partnership, "filters": ReportFilters(**filters)}


def test_the_statements_of_the_period_newest_first_withholding_one_naming_its_subject(
    scenario,
):
    found = report_learning_statements(**scope(scenario))
    said = scenario.statements
    assert [s.text for s in found.listed] == [said["B"], said["G"], said["C"], said["A"]]
    assert (found.withheld, found.erased, found.found) == (1, 0, 5)  # D names QN, its case's
    assert found.listed[0].themes == [Theme.TRAINING]  # B's "Training", in words
    assert [str(s.recorded_on) for s in found.listed] == [
        "2027-01-06",
        "2027-01-04",
        "2026-12-31",
        "2026-12-29",
    ]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("QN should have been seen", True),
        ("seen by Q.N. at school", True),
        ("qn was seen", True),
        ("(QN)", True),
        ("QNX is a team", False),
        ("AQN", False),
        ("No initials here", False),
        ("Record HX-771103 was wrong", True),
    ],
)
def test_a_statement_names_its_subject_when_it_holds_an_identifier_as_a_word(text, names):
    assert statement_names_subject(text, "QN", "HX-771103", "") is names


def test_the_theme_narrows_the_statements(scenario):
    found = report_learning_statements(theme=Theme.TRAINING, **scope(scenario))
    said = scenario.statements
    assert [s.text for s in found.listed] == [said["B"], said["G"], said["A"]]
    gaps = report_learning_statements(theme=Theme.GAPS, **scope(scenario))
    assert [s.text for s in gaps.listed] == [said["C"]]
    assert gaps.withheld == 0


def test_the_report_page_lists_the_statements_and_says_one_was_withheld(client, scenario):
    status, html = page(client, board(scenario))
    assert status == 200
    section = html[html.index('id="statements"') :]
    for text in scenario.statements.values():
        assert text in section, text
    assert WITHHELD_ONE in section.replace("&#x27;", "'")
    assert D_STATEMENT not in html
    for identifier in scenario.identifiers:
        assert identifier not in html, identifier


def test_the_theme_filter_on_the_page(client, scenario):
    status, html = page(client, board(scenario), theme="gaps-in-provision")
    assert status == 200
    section = html[html.index('id="statements"') :]
    said = scenario.statements
    assert said["C"] in section
    assert said["A"] not in section and said["B"] not in section
    assert "Naming the theme: Gaps in provision" in html
    assert re.search(r'id="total-cases">7<', html)  # the figures count every theme


@pytest.mark.parametrize("value", ["nonsense", "Training", "<script>"])
def test_a_wrong_theme_gets_a_clear_message_and_no_report(client, scenario, value):
    status, html = page(client, board(scenario), theme=value)
    assert status == 200
    assert "govuk-error-summary" in html
    assert "Choose a learning theme from the list" in html
    assert 'id="statements"' not in html
    assert "<script>" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_csv_carries_the_statements_and_never_the_initials(client, scenario):
    content = export(client, board(scenario), "csv")
    rows = csv_rows(content)
    statements = {r[3] for r in rows if r[0] == "Learning statements" and r[2] == "Statement"}
    assert statements == set(scenario.statements.values())
    notes = [r[3] for r in rows if r[0] == "Learning statements" and r[1] == "Note"]
    assert notes == [WITHHELD_ONE]
    text = content.decode("utf-8-sig")
    assert D_STATEMENT not in text
    for identifier in scenario.identifiers:
        assert identifier not in text, identifier
    # A withheld rate says what was withheld and why, never "fewer than 5".
    cell = next(r[3] for r in rows if r[:3] == ["Overdue rate per step", "Step 1", "Overdue rate"])
    assert cell == "withheld: it would give away a count under 5"


def test_the_xlsx_carries_the_statements_and_never_the_initials(client, scenario):
    book = load_workbook(io.BytesIO(export(client, board(scenario), "xlsx")))
    sheet = book["Learning statements"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Learning statements", None, None)
    assert WITHHELD_ONE in rows[1][0]
    assert rows[3] == ("Recorded", "Themes", "Statement")
    said = scenario.statements
    assert rows[4] == ("6 January 2027", "Training", said["B"])
    assert [r[2] for r in rows[4:]] == [said["B"], said["G"], said["C"], said["A"]]
    everything = "\n".join(
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    )
    assert D_STATEMENT not in everything
    for identifier in scenario.identifiers:
        assert identifier not in everything, identifier


def test_the_pdf_carries_the_statements_and_never_the_initials(client, scenario):
    text = pdf_text(export(client, board(scenario), "pdf"))
    assert "Learning statements" in text
    for statement in scenario.statements.values():
        assert statement in text, statement
    assert WITHHELD_ONE in text
    assert "withheld: it would give away a count under 5" in text
    assert D_STATEMENT not in text
    for identifier in scenario.identifiers:
        assert identifier not in text, identifier


def test_exports_withhold_fewer_than_5_statements_and_say_why(client, scenario):
    # Training: A, B and G, three statements; the page lists them, the exports do not.
    rows = csv_rows(export(client, board(scenario), "csv", theme="training"))
    ours = [r for r in rows if r[0] == "Learning statements"]
    assert ours == [["Learning statements", "Note", "", STATEMENTS_WITHHELD]]
    _status, html = page(client, board(scenario), theme="training")
    assert scenario.statements["A"] in html
    report = build_report(now=NOW, **scope(scenario, theme="training"))
    assert report.exported_statements is None
    assert report.exported_statements_notes == [STATEMENTS_WITHHELD]


def test_statements_of_erased_cases_are_skipped_and_counted(scenario):
    import datetime as dt

    from retention.services import erase_expired
    from tests.reports.scenario import LONDON

    # Six years on, A, C and G (closed before 5 Jan 2027) are erased; B and D are kept.
    erase_expired(now=dt.datetime(2033, 1, 3, 12, 0, tzinfo=LONDON))
    found = report_learning_statements(**scope(scenario))
    assert [s.text for s in found.listed] == [scenario.statements["B"]]
    assert (found.withheld, found.erased) == (1, 3)
    report = build_report(now=NOW, **scope(scenario))
    assert report.statements_notes == [
        WITHHELD_ONE,
        "Statements of 3 cases are not listed: their text was erased at the end of the "
        "retention period.",
    ]


def test_the_theme_rides_along_to_an_export_job():
    filters = ReportFilters(theme="training")
    assert ReportFilters.from_data(filters.as_data()) == filters


def test_a_statement_is_never_a_spreadsheet_formula():
    assert _text("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _text("-1 for the team") == "'-1 for the team"
    assert _text("Training for both") == "Training for both"


def test_the_page_lists_the_newest_statements_only_and_says_so(client, scenario, monkeypatch):
    import reports.views

    monkeypatch.setattr(reports.views, "STATEMENTS_ON_PAGE", 2)
    _status, html = page(client, board(scenario))
    section = html[html.index('id="statements"') :]
    said = scenario.statements
    assert "The 2 newest of 4 statements are listed" in section
    assert said["B"] in section and said["G"] in section
    assert said["C"] not in section and said["A"] not in section
