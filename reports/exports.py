"""The report as CSV, XLSX and PDF files: the page's figures, counts under 5 hidden, and the
learning statements.

Exports carry the figures and the learning statements, never a case or a subject
identifier: a list of cases would let a reader undo the small-number rule. The statements
are listed without their case (report_learning_statements withholds any holding its case's
initials or record numbers), and withheld when fewer than 5 (Report.exported_statements).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from reports.report import FEWER_THAN_5, Report, Statement

NOTE = (
    f'Counts from 1 to 4 are shown as "{FEWER_THAN_5}". A rate or a working-day figure '
    "resting on fewer than 5 steps or cases is withheld, and so is a rate whose count is "
    "under 5, and a count that would give one of those away by subtraction (from a total "
    'beside it, or from shares of the whole): each such cell says "withheld:" and why.'
)

STATEMENTS_TITLE = "Learning statements"
STATEMENT_COLUMNS = ["Recorded", "Themes", "Statement"]

# A spreadsheet reads a cell starting with one of these as a formula: a statement is words.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _statement_cells(statement: Statement) -> list[str]:
    day = statement.recorded_on
    themes = ", ".join(t.label for t in statement.themes) or "No listed theme"
    return [f"{day.day} {day:%B %Y}", themes, _text(statement.text)]


def _statements(report: Report) -> tuple[list[list[str]], list[str]]:
    """The statements' rows (recorded, themes, text) and the notes on what was left out."""
    listed = report.exported_statements or []
    return [_statement_cells(s) for s in listed], report.exported_statements_notes


STATEMENTS_SUMMARY = (
    "What should change, as written when each case was resolved, newest first, without the "
    "case it came from."
)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def _about(report: Report) -> list[tuple[str, str]]:
    local = timezone.localtime(report.generated_at)
    return [
        ("Partnership", report.partnership.name),
        ("Made", f"{local:%d %b %Y %H:%M} (UK time)"),
        *report.filter_summary,
        ("Note", NOTE),
    ]


def _filename(report: Report, extension: str) -> str:
    local = timezone.localtime(report.generated_at)
    return f"resolve-report-{report.partnership.code.lower()}-{local:%Y%m%d-%H%M}.{extension}"


def export_csv(report: Report) -> ExportFile:
    """One row per value: figure, row, column, value (a shape any spreadsheet can pivot)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Figure", "Row", "Column", "Value"])
    for name, words in _about(report):
        writer.writerow(["About this report", name, "", words])
    for figure in report.figures:
        for label, values in figure.exported_rows():
            for column, value in zip(figure.columns[1:], values, strict=True):
                writer.writerow([figure.title, label, column, value])
    rows, notes = _statements(report)
    for note in notes:
        writer.writerow([STATEMENTS_TITLE, "Note", "", note])
    for index, cells in enumerate(rows, start=1):
        for column, value in zip(STATEMENT_COLUMNS, cells, strict=True):
            writer.writerow([STATEMENTS_TITLE, f"Statement {index}", column, value])
    return ExportFile(
        content=out.getvalue().encode("utf-8-sig"),  # the BOM lets Excel read UTF-8
        content_type="text/csv; charset=utf-8",
        filename=_filename(report, "csv"),
    )


def export_xlsx(report: Report) -> ExportFile:
    """A sheet "About" with the filters, then one sheet per figure: title, header, rows.

    Written in openpyxl's write-only mode: rows stream to the file as they are appended,
    with no cell objects kept for the whole book."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    heading, bold = Font(bold=True, size=14), Font(bold=True)

    def styled(sheet: Any, values: list[Any], font: Font) -> list[Any]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = font
            cells.append(cell)
        return cells

    about = book.create_sheet(title="About")
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 80
    about.append(styled(about, ["Board report"], heading))
    for row in _about(report):
        about.append(list(row))
    for index, figure in enumerate(report.figures, start=1):
        sheet = book.create_sheet(title=f"{index} {figure.title}"[:31])
        sheet.column_dimensions["A"].width = 48
        sheet.append(styled(sheet, [figure.title], heading))
        sheet.append([figure.summary])
        sheet.append([])
        sheet.append(styled(sheet, figure.columns, bold))
        for label, values in figure.exported_rows():
            sheet.append([label, *values])
    sheet = book.create_sheet(title=STATEMENTS_TITLE)
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 36
    sheet.column_dimensions["C"].width = 100
    rows, notes = _statements(report)
    sheet.append(styled(sheet, [STATEMENTS_TITLE], heading))
    sheet.append([" ".join([STATEMENTS_SUMMARY, *notes])])
    sheet.append([])
    sheet.append(styled(sheet, STATEMENT_COLUMNS, bold))
    for cells in rows:
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return ExportFile(
        content=out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=_filename(report, "xlsx"),
    )


def export_pdf(report: Report) -> ExportFile:
    """A tagged PDF of the figures: each one's chart beside its table, drawn by WeasyPrint.

    The charts are the page's SVGs drawn from the exported values, so a count the table
    shows as "fewer than 5" is no bar in the chart either."""
    from weasyprint import HTML

    html = render_to_string(
        "reports/export_pdf.html",
        {
            "report": report,
            "about": _about(report),
            "figures": [(f, f.exported_rows(), f.export_chart) for f in report.figures],
            "statements": report.exported_statements or [],
            "statements_notes": report.exported_statements_notes,
            "statements_summary": STATEMENTS_SUMMARY,
        },
    )
    content = HTML(string=html).write_pdf(pdf_tags=True)
    assert content is not None
    return ExportFile(
        content=content, content_type="application/pdf", filename=_filename(report, "pdf")
    )


RENDERERS = {"csv": export_csv, "xlsx": export_xlsx, "pdf": export_pdf}


def export_render(report: Report, fmt: str) -> ExportFile:
    return RENDERERS[fmt](report)
