"""Exports open with csv and openpyxl, carry the page's figures, and carry no identifier."""

from __future__ import annotations

import csv
import datetime as dt
import io
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from agencies.enums import Role
from reports.models import ExportJob, ExportStatus
from reports.report import (
    BY_SUBTRACTION,
    FEWER_THAN_5,
    GIVES_COUNT_AWAY,
    Count,
    Days,
    Percent,
    _resolved_at_figure,
    _stall_row,
    build_report,
    protect,
)
from reports.selectors import ReportFilters
from reports.services import export_run, exports_purge
from tests.reports.scenario import NOW

pytestmark = pytest.mark.django_db


def post_export(client, user, fmt, **filters):
    with time_machine.travel(NOW, tick=False):
        client.force_login(user)
        return client.post(reverse("reports:export"), {"format": fmt, **filters})


def board(scenario):
    return scenario.world.person("board", Role.BOARD_STAFF)


def expected_cells(scenario, filters=None):
    """(figure, row, column) -> exported value, from the same report the page draws."""
    report = build_report(
        partnership=scenario.world.partnership, filters=filters or ReportFilters(), now=NOW
    )
    cells = {}
    for figure in report.figures:
        for label, values in figure.exported_rows():
            for column, value in zip(figure.columns[1:], values, strict=True):
                cells[(figure.title, label, column)] = value
    return cells


NOT_FIGURES = ("About this report", "Learning statements")


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_small_counts_are_hidden_in_exports():
    assert Count(0).exported() == 0
    assert Count(4).exported() == FEWER_THAN_5
    assert Count(5).exported() == 5
    # A rate or a median is never "fewer than 5": it says what was withheld and why.
    assert Percent(2, 10).exported() == GIVES_COUNT_AWAY
    assert Percent(2, 10).exported() == "withheld: it would give away a count under 5"
    assert Percent(5, 4, of="steps").exported() == "withheld: fewer than 5 steps"
    assert Percent(5, 10).exported() == 50.0
    assert Percent(6, 10, withheld=True).exported() == BY_SUBTRACTION
    assert Days(4.0, 3).exported() == "withheld: fewer than 5 resolved cases"
    assert Days(4.0, 5).exported() == 4.0
    assert Count(4).shown() == "4"  # the page shows board staff the count itself


def test_csv_opens_with_the_csv_module_and_carries_the_page_figures(client, scenario):
    response = post_export(client, board(scenario), "csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = read_csv(response.content)
    assert rows[0] == ["Figure", "Row", "Column", "Value"]
    found = {(r[0], r[1], r[2]): r[3] for r in rows[1:] if r[0] not in NOT_FIGURES}
    expected = {k: str(v) for k, v in expected_cells(scenario).items()}
    assert found == expected
    # Hand-worked values: 5 resolved cases, median 4, 90th percentile 9 working days.
    assert found[("Time to resolve, in working days", "Resolved cases", "Value")] == "5"
    assert (
        found[("Time to resolve, in working days", "Median working days to resolve", "Value")]
        == "4.0"
    )
    assert (
        found[
            ("Time to resolve, in working days", "90th percentile working days to resolve", "Value")
        ]
        == "9.0"
    )
    # 7 step 1s, 2 overdue: the count is hidden, so the rate is too.
    assert found[("Overdue rate per step", "Step 1", "Steps with a deadline")] == "7"
    assert found[("Overdue rate per step", "Step 1", "Overdue")] == FEWER_THAN_5
    assert found[("Overdue rate per step", "Step 1", "Overdue rate")] == GIVES_COUNT_AWAY
    assert found[("Cases raised and resolved per month", "Dec 2026", "Raised")] == "5"
    assert found[("Cases raised and resolved per month", "Dec 2026", "Resolved")] == FEWER_THAN_5
    assert found[("Learning themes", "Training", "Cases")] == FEWER_THAN_5
    assert found[("Learning themes", "Protocols and procedures", "Cases")] == "0"


def test_xlsx_opens_with_openpyxl_and_carries_the_page_figures(client, scenario):
    response = post_export(client, board(scenario), "xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "About"
    found = {}
    for sheet in book.worksheets[1:-1]:  # the last: the learning statements
        rows = list(sheet.iter_rows(values_only=True))
        title, columns = rows[0][0], rows[3]
        for row in rows[4:]:
            for column, value in zip(columns[1:], row[1:], strict=True):
                found[(title, row[0], column)] = value
    assert found == expected_cells(scenario)
    assert (
        found[("Time to resolve, in working days", "Median working days to resolve", "Value")]
        == 4.0
    )
    assert found[("Cases raised and resolved per month", "Dec 2026", "Raised")] == 5


def test_pdf_is_a_pdf_of_the_figures(client, scenario):
    from pypdf import PdfReader

    response = post_export(client, board(scenario), "pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Time to resolve, in working days" in text
    assert "fewer than 5" in text
    for identifier in scenario.identifiers:
        assert identifier not in text, identifier


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_carry_no_subject_identifier(client, scenario, fmt):
    response = post_export(client, board(scenario), fmt)
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
    else:
        book = load_workbook(io.BytesIO(response.content))
        text = "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    for identifier in scenario.identifiers:
        assert identifier not in text, identifier


def test_exports_follow_the_current_filters(client, scenario):
    response = post_export(client, board(scenario), "csv", route="conference-dissent")
    rows = read_csv(response.content)
    about = {r[1]: r[3] for r in rows if r[0] == "About this report"}
    assert about["Route"] == "Dissent at a Child Protection Conference"
    found = {(r[0], r[1], r[2]): r[3] for r in rows[1:] if r[0] not in NOT_FIGURES}
    assert found == {
        k: str(v)
        for k, v in expected_cells(scenario, ReportFilters(route="conference-dissent")).items()
    }


def test_a_large_export_runs_as_a_job_with_progress_and_a_download(
    client, scenario, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.REPORTS_EXPORT_ASYNC_THRESHOLD = 3
    settings.MEDIA_ROOT = tmp_path
    user = board(scenario)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post_export(client, user, "xlsx")
    assert len(queued) == 1  # reports.export, queued after commit
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:export_job", args=[job.pk])
    assert (job.status, job.case_count, job.format) == (ExportStatus.QUEUED, 7, "xlsx")

    progress = client.get(response["Location"]).content.decode()
    assert "<progress" in progress and "Refresh this page" in progress
    assert "<script" not in progress.split("<main", 1)[1].split("</main>", 1)[0]

    with time_machine.travel(NOW, tick=False):
        export_run(job_id=str(job.pk))  # what the worker does
    job.refresh_from_db()
    assert (job.status, job.progress) == (ExportStatus.DONE, 100)
    assert job.expires_at == NOW + dt.timedelta(hours=24)
    done = client.get(response["Location"]).content.decode()
    assert "Download the Excel (XLSX) file" in done
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.sheetnames[0] == "About"

    # Someone else (even board staff of the same partnership) cannot fetch it.
    client.force_login(scenario.world.person("board", Role.STRATEGIC_MANAGER))
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404
    client.force_login(scenario.world.person("challenging", Role.PRACTITIONER))
    assert client.get(reverse("reports:export_job", args=[job.pk])).status_code == 404

    # A repeated delivery does nothing; the purge deletes the file once it expires.
    export_run(job_id=str(job.pk))
    path = job.file.path
    assert exports_purge(now=NOW + dt.timedelta(hours=23)) == 0
    assert exports_purge(now=NOW + dt.timedelta(hours=24, seconds=1)) == 1
    assert not ExportJob.objects.exists()
    import os

    assert not os.path.exists(path)


def test_the_tasks_are_named(scenario):
    from reports.tasks import export_task, purge_exports_task

    assert export_task.name == "reports.export"
    assert purge_exports_task.name == "reports.purge_exports"


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())  # a heading wrapped over two lines reads as one


def test_the_pdf_holds_each_figures_heading_with_its_chart_and_table(client, scenario):
    response = post_export(client, board(scenario), "pdf")
    assert response.status_code == 200
    text = _pdf_text(response.content)
    report = build_report(partnership=scenario.world.partnership, filters=ReportFilters(), now=NOW)
    assert len(report.figures) == 7
    for figure in report.figures:
        assert figure.title in text, figure.title
        assert f"Chart: {figure.chart_title}" in text, figure.chart_title
        assert f"Table: {figure.title}" in text, figure.title
    # Drawn by the charts themselves, never by a table: a hidden count's mark (tables write
    # "fewer than 5" in full) and the months chart's axis (it tops at 5: ticks 1.2, 2.5, 3.8).
    assert "<5" in text
    assert "3.8" in text
    for identifier in scenario.identifiers:
        assert identifier not in text, identifier


def test_an_exports_charts_hide_what_its_tables_hide(scenario):
    report = build_report(partnership=scenario.world.partnership, filters=ReportFilters(), now=NOW)
    months = report.figure("by-month")
    # Dec 2026: 5 raised, 2 resolved; Jan 2027: 2 raised, 3 resolved.
    assert "Raised: Dec 2026 5, Jan 2027 2; Resolved: Dec 2026 2, Jan 2027 3" in months.chart
    assert (
        "Raised: Dec 2026 5, Jan 2027 fewer than 5; "
        "Resolved: Dec 2026 fewer than 5, Jan 2027 fewer than 5"
    ) in months.export_chart
    stalls = report.figure("stalls").export_chart
    assert "Hillside Health challenging Valley Police: Step 1 fewer than 5" in stalls
    for figure in report.figures:
        for label, values in figure.exported_rows():
            if FEWER_THAN_5 in values:
                assert FEWER_THAN_5 in figure.export_chart, (figure.key, label)


def test_the_xlsx_keeps_its_bold_headings(client, scenario):
    response = post_export(client, board(scenario), "xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "About"
    assert book["About"]["A1"].value == "Board report"
    assert book["About"]["A1"].font.bold
    sheet = book.worksheets[1]
    assert sheet["A1"].value == "Cases raised and resolved per month"
    assert [c.value for c in sheet[4]] == ["Month", "Raised", "Resolved"]
    assert all(c.font.bold for c in sheet[4])


@pytest.mark.parametrize(
    ("counts", "withheld"),
    [
        ([2, 5, 9, 0], [False, True, False, False]),  # the smallest count of 5 or more goes too
        ([2, 3, 9], [False, False, False]),  # two hidden already: neither can be worked out
        ([3, 0, 0], [False, False, False]),  # nothing else to hide; the sum is under 5 too
        ([7, 8], [False, False]),  # nothing under 5
    ],
)
def test_a_lone_small_count_takes_another_with_it(counts, withheld):
    assert protect(counts) == withheld


def test_shares_of_the_whole_do_not_give_a_small_count_away():
    figure = _resolved_at_figure([(1, 3), (2, 6), (3, 9)])
    assert figure.exported_rows() == [
        ("Step 1", [FEWER_THAN_5, GIVES_COUNT_AWAY]),
        ("Step 2", [BY_SUBTRACTION, BY_SUBTRACTION]),
        ("Step 3", [9, 50.0]),
    ]
    # The page, read by board staff, shows every count.
    assert figure.shown_rows()[1] == ("Step 2", ["6", "33.3%"])
    chart = figure.export_chart
    assert ">*</text>" in chart  # the withheld bar: a mark, not its height
    assert "&lt;5</text>" in chart


def test_a_row_total_does_not_give_its_one_small_count_away():
    stall = SimpleNamespace(label="Health -> Social care", by_step={1: 3, 2: 6}, total=9)
    assert _stall_row(stall, [1, 2])[1][-1].exported() == BY_SUBTRACTION
    both = SimpleNamespace(label="Police -> Health", by_step={1: 3, 2: 4}, total=7)
    assert _stall_row(both, [1, 2])[1][-1].exported() == 7
