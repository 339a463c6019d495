"""The board's report as figures: each a title, a table and a chart of the same values.

The page and every export are drawn from one Report, so they carry the same figures. A cell
knows what kind of figure it is, so that an export can show counts under 5 as
"fewer than 5" (and withhold a rate or a median resting on so few, saying what was withheld
and why) while the page, read by board staff, shows them as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString

from agencies.models import Partnership
from escalation.enums import CaseStatus
from escalation.models import StepChase
from reports import charts
from reports.charts import BLUE
from reports.conf import (
    BY_SUBTRACTION,
    FEWER_THAN_5,
    GIVES_COUNT_AWAY,
    SMALL_COUNT,
    fewer_than_5,
)
from reports.selectors import (
    FilterChoices,
    ReportFilters,
    Rows,
    Statement,
    Statements,
    Totals,
    report_by_month,
    report_case_rows,
    report_cases,
    report_dissent,
    report_durations,
    report_filter_choices,
    report_learning,
    report_learning_rows,
    report_learning_statements,
    report_overdue_by_step,
    report_resolved_at_step,
    report_stalls,
    report_step_rows,
    report_totals,
)
from reports.themes import Theme

WITHHELD = BY_SUBTRACTION  # not small itself, but it would give away a count under 5

Exported = int | float | str


def _small(n: int) -> bool:
    return 0 < n < SMALL_COUNT


@dataclass(frozen=True)
class Count:
    n: int
    withheld: bool = False  # in exports: see protect()

    def shown(self) -> str:
        return f"{self.n:,}"

    def exported(self) -> Exported:
        if _small(self.n):
            return FEWER_THAN_5
        return WITHHELD if self.withheld else self.n

    @property
    def value(self) -> float:
        return self.n


@dataclass(frozen=True)
class Percent:
    """part of whole as a percentage; withheld in exports when the whole is fewer than 5
    (the rate would describe those few) or the part is a hidden count (the rate of a known
    whole would give it away), saying which."""

    part: int
    whole: int
    withheld: bool = False  # its part is a withheld count (protect())
    of: str = "cases"  # what the whole counts, for the words of a withheld rate

    @property
    def value(self) -> float:
        return round(100 * self.part / self.whole, 1) if self.whole else 0.0

    def shown(self) -> str:
        return f"{self.value:g}%" if self.whole else "none"

    def exported(self) -> Exported:
        if not self.whole:
            return "none"
        if _small(self.whole):
            return fewer_than_5(self.of)
        if _small(self.part):
            return GIVES_COUNT_AWAY
        return WITHHELD if self.withheld else self.value


@dataclass(frozen=True)
class Days:
    """Working days (a median or percentile) over n resolved cases; withheld in exports when
    n < 5, since the figure of so few is one case's own time (or near it)."""

    days: float | None
    n: int

    @property
    def value(self) -> float:
        return self.days or 0.0

    def shown(self) -> str:
        return "none resolved" if self.days is None else f"{self.days:g}"

    def exported(self) -> Exported:
        if self.days is None:
            return "none resolved"
        if _small(self.n):
            return fewer_than_5("resolved cases")
        return self.days


Cell = Count | Percent | Days


def protect(counts: Sequence[int]) -> list[bool]:
    """Which counts of a group to withhold in exports besides those under 5, when the group's
    sum can be read from the export (a total beside it, or shares of the whole): if exactly
    one count is under 5, the smallest other count above it goes too, so that neither can be
    worked out by subtraction. Returns a flag per count."""
    small = [i for i, n in enumerate(counts) if _small(n)]
    withheld = [False] * len(counts)
    if len(small) == 1:
        others = [(n, i) for i, n in enumerate(counts) if n >= SMALL_COUNT]
        if others:
            withheld[min(others)[1]] = True
    return withheld


# How a chart draws a cell: its value on the page, or as an export shows it (a count from 1
# to 4 as "fewer than 5", drawn as no bar), so an export's chart hides what its table hides.
ChartValue = Callable[[Cell], charts.Value]


def on_page(cell: Cell) -> charts.Value:
    return cell.value


def in_export(cell: Cell) -> charts.Value:
    return cell.exported()


def _no_chart(value: ChartValue) -> SafeString:
    return SafeString("")


@dataclass
class Figure:
    key: str  # its id on the page
    title: str
    summary: str  # what it counts, in words
    columns: list[str]  # the first names the row labels
    rows: list[tuple[str, list[Cell]]]
    chart_title: str = ""
    draw: Callable[[ChartValue], SafeString] = _no_chart  # the chart of the same values

    @property
    def chart(self) -> SafeString:
        """The chart as the page shows it."""
        return self.draw(on_page)

    @property
    def export_chart(self) -> SafeString:
        """The chart as an export shows it: small counts hidden, as in exported_rows."""
        return self.draw(in_export)

    def shown_rows(self) -> list[tuple[str, list[str]]]:
        return [(label, [c.shown() for c in cells]) for label, cells in self.rows]

    def exported_rows(self) -> list[tuple[str, list[Exported]]]:
        return [(label, [c.exported() for c in cells]) for label, cells in self.rows]


@dataclass
class Report:
    partnership: Partnership
    filters: ReportFilters
    filter_summary: list[tuple[str, str]]
    totals: Totals
    figures: list[Figure]
    generated_at: dt.datetime
    statements: Statements

    @property
    def exported_statements(self) -> list[Statement] | None:
        """The statements an export carries; None when they are withheld: fewer than 5 of
        them would give away how few cases recorded learning (the page lists them all)."""
        return None if _small(self.statements.found) else self.statements.listed

    @property
    def statements_notes(self) -> list[str]:
        """What the statements leave out, and why, in words (the page's and the exports')."""
        return statements_notes(self.statements)

    @property
    def exported_statements_notes(self) -> list[str]:
        if self.exported_statements is None:
            return [STATEMENTS_WITHHELD]
        return self.statements_notes

    chases: int = 0  # overdue steps chased, of the report's cases (escalation.StepChase)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def filter_summary(filters: ReportFilters, choices: FilterChoices) -> list[tuple[str, str]]:
    """The filters in words (names, never ids), for the page and the exports."""
    agencies = dict(choices.agencies)
    words: list[tuple[str, str]] = []
    f = filters
    if f.raised_from or f.raised_to:
        start = f"{f.raised_from:%d %b %Y}" if f.raised_from else "the first case"
        end = f"{f.raised_to:%d %b %Y}" if f.raised_to else "today"
        words.append(("Raised", f"{start} to {end}"))
    if f.policy:
        words.append(("Policy", dict(choices.policies).get(f.policy, f.policy)))
    if f.agency and f.other_agency:
        words.append(
            (
                "Agency pair",
                f"{agencies.get(f.agency, '?')} and {agencies.get(f.other_agency, '?')}",
            )
        )
    elif f.agency or f.other_agency:
        words.append(("Agency", agencies.get(f.agency or f.other_agency or 0, "?")))
    if f.category:
        words.append(("Category", dict(choices.categories).get(f.category, f.category)))
    if f.route:
        words.append(("Route", dict(choices.routes).get(f.route, f.route)))
    if f.step_reached is not None:
        words.append(("Step reached", f"Step {f.step_reached}"))
    if f.risk is not None:
        words.append(("Risk of significant harm", "Yes" if f.risk else "No"))
    if f.outcome:
        words.append(("Outcome", CaseStatus(f.outcome).label))
    if f.theme:
        words.append(("Learning statements", f"Naming the theme: {Theme(f.theme).label}"))
    return words or [("Filters", "All cases")]


STATEMENTS_WITHHELD = (
    "The learning statements are withheld: there are fewer than 5 for these filters, and "
    "listing them would show how few cases recorded learning."
)


def statements_notes(statements: Statements) -> list[str]:
    notes = []
    if statements.withheld == 1:
        notes.append(
            "1 statement was withheld: it holds its case's subject initials or a record number."
        )
    elif statements.withheld:
        notes.append(
            f"{statements.withheld} statements were withheld: each holds its case's subject "
            "initials or a record number."
        )
    if statements.erased:
        cases = "1 case" if statements.erased == 1 else f"{statements.erased} cases"
        notes.append(
            f"Statements of {cases} are not listed: their text was erased at the end of the "
            "retention period."
        )
    return notes


FIGURE_COUNT = 7


def build_report(
    *,
    partnership: Partnership,
    filters: ReportFilters,
    now: dt.datetime | None = None,
    choices: FilterChoices | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Every figure of the report for the filters. progress(done) is called after each
    figure (done out of FIGURE_COUNT), for an export job's progress bar.

    Four GROUP BY queries (see reports/selectors.py) feed the seven figures; one more reads
    the learning statements."""
    now = now or timezone.now()
    choices = choices or report_filter_choices(partnership=partnership)
    cases = report_cases(partnership=partnership, filters=filters)
    figures: list[Figure] = []

    def done(figure: Figure) -> None:
        figures.append(figure)
        if progress is not None:
            progress(len(figures))

    scope: dict[str, Any] = {"partnership": partnership, "filters": filters}
    case_rows = report_case_rows(cases)
    done(_months_figure(report_by_month(cases, rows=case_rows)))
    done(_durations_figure(cases))
    step_rows = report_step_rows(now=now, **scope)
    done(_overdue_figure(report_overdue_by_step(rows=step_rows, **scope)))
    done(_resolved_at_figure(report_resolved_at_step(rows=step_rows, **scope)))
    done(_stalls_figure(*report_stalls(rows=step_rows, **scope)))
    learning_rows = report_learning_rows(**scope)
    done(_themes_figure(learning_rows, **scope))
    done(_dissent_figure(case_rows, learning_rows, **scope))
    return Report(
        partnership=partnership,
        filters=filters,
        filter_summary=filter_summary(filters, choices),
        totals=report_totals(cases, rows=case_rows),
        figures=figures,
        generated_at=now,
        statements=report_learning_statements(theme=filters.theme, **scope),
        chases=StepChase.objects.filter(case__in=cases).count(),
    )


def _months_figure(months: Sequence[Any]) -> Figure:
    labels = [f"{m.month:%b %Y}" for m in months]
    rows: list[tuple[str, list[Cell]]] = [
        (label, [Count(m.raised), Count(m.resolved)])
        for label, m in zip(labels, months, strict=True)
    ]
    title = "Cases raised and resolved per month"

    def draw(value: ChartValue) -> SafeString:
        return charts.bar_chart(
            key="chart-by-month",
            title=title,
            categories=labels,
            series=[
                ("Raised", [value(cells[0]) for _l, cells in rows], charts.BLUE),
                ("Resolved", [value(cells[1]) for _l, cells in rows], charts.ORANGE),
            ],
        )

    return Figure(
        key="by-month",
        title="Cases raised and resolved per month",
        summary="Cases raised in each month, and those of them resolved in each month "
        "(by the day they were resolved).",
        columns=["Month", "Raised", "Resolved"],
        rows=rows,
        chart_title=title,
        draw=draw,
    )


def _durations_figure(cases: Any) -> Figure:
    durations = report_durations(cases)
    n = durations.resolved
    rows: list[tuple[str, list[Cell]]] = [
        ("Resolved cases", [Count(n)]),
        ("Median working days to resolve", [Days(durations.median, n)]),
        ("90th percentile working days to resolve", [Days(durations.p90, n)]),
    ]
    # The buckets add up to the resolved cases shown above them.
    buckets = [
        Count(c, withheld=w)
        for (_label, c), w in zip(
            durations.buckets, protect([c for _l, c in durations.buckets]), strict=True
        )
    ]
    rows += [
        (f"Resolved in {label} working days", [cell])
        for (label, _c), cell in zip(durations.buckets, buckets, strict=True)
    ]
    title = "Resolved cases by working days to resolve"

    def draw(value: ChartValue) -> SafeString:
        return charts.bar_chart(
            key="chart-time-to-resolve",
            title=title,
            categories=[label for label, _c in durations.buckets],
            series=[("Resolved cases", [value(cell) for cell in buckets], BLUE)],
        )

    return Figure(
        key="time-to-resolve",
        title="Time to resolve, in working days",
        summary="Working days from raising to resolution (weekends, the nation's bank "
        "holidays and the partnership's closure days not counted), of the resolved cases.",
        columns=["Measure", "Value"],
        rows=rows,
        chart_title=title,
        draw=draw,
    )


def _overdue_figure(steps: Sequence[Any]) -> Figure:
    title = "Overdue rate per step"

    def draw(value: ChartValue) -> SafeString:
        return charts.hbar_chart(
            key="chart-overdue",
            title=title,
            labels=[s.label for s in steps],
            values=[value(Percent(s.overdue, s.steps, of="steps")) for s in steps],
            unit="%",
            top=100,
        )

    return Figure(
        key="overdue",
        title="Overdue rate per step",
        summary="Of the steps with a deadline, the share that went past it (finished late, "
        "or still open after it).",
        columns=["Step", "Steps with a deadline", "Overdue", "Overdue rate"],
        rows=[
            (s.label, [Count(s.steps), Count(s.overdue), Percent(s.overdue, s.steps, of="steps")])
            for s in steps
        ],
        chart_title=title,
        draw=draw,
    )


def _resolved_at_figure(rows: Sequence[tuple[int, int]]) -> Figure:
    total = sum(n for _s, n in rows)
    withheld = protect([n for _s, n in rows])  # the shares give the sum away
    title = "Resolved cases by step"

    def draw(value: ChartValue) -> SafeString:
        return charts.bar_chart(
            key="chart-resolved-at",
            title=title,
            categories=[f"Step {number}" for number, _n in rows],
            series=[
                (
                    "Resolved cases",
                    [value(Count(n, w)) for (_s, n), w in zip(rows, withheld, strict=True)],
                    BLUE,
                )
            ],
        )

    return Figure(
        key="resolved-at",
        title="Step at which cases were resolved",
        summary="Resolved cases by the step at which they were resolved.",
        columns=["Step", "Resolved cases", "Share of resolved cases"],
        rows=[
            (f"Step {number}", [Count(n, w), Percent(n, total, w, of="resolved cases")])
            for (number, n), w in zip(rows, withheld, strict=True)
        ],
        chart_title=title,
        draw=draw,
    )


def _stalls_figure(numbers: Sequence[int], stalls: Sequence[Any]) -> Figure:
    columns = [f"Step {n}" for n in numbers]
    title = "Overdue steps by agency pair and step"

    def draw(value: ChartValue) -> SafeString:
        return charts.grid_chart(
            key="chart-stalls",
            title=title,
            rows=[s.label for s in stalls],
            columns=columns,
            values=[[value(Count(s.by_step.get(n, 0))) for n in numbers] for s in stalls],
        )

    return Figure(
        key="stalls",
        title="Where disagreements stall",
        summary="Steps that went overdue, by the pair of agencies (challenging, then "
        "responding) and the step, most first.",
        columns=["Agencies", *columns, "Total"],
        rows=[_stall_row(s, numbers) for s in stalls],
        chart_title=title,
        draw=draw,
    )


def _stall_row(stall: Any, numbers: Sequence[int]) -> tuple[str, list[Cell]]:
    """A pair's overdue steps by step, and their total; the total is withheld in exports
    when it would give away the one step count under 5."""
    counts = [stall.by_step.get(n, 0) for n in numbers]
    lone_small = sum(1 for n in counts if _small(n)) == 1
    return stall.label, [*(Count(n) for n in counts), Count(stall.total, withheld=lone_small)]


def _theme_rows(counts: Any) -> list[tuple[str, list[Cell]]]:
    rows: list[tuple[str, list[Cell]]] = [(theme.label, [Count(n)]) for theme, n in counts.themes]
    rows.append(("No listed theme", [Count(counts.no_listed_theme)]))
    return rows


def _theme_chart(
    key: str, title: str, counts: Any, colour: str
) -> Callable[[ChartValue], SafeString]:
    def draw(value: ChartValue) -> SafeString:
        return charts.hbar_chart(
            key=key,
            title=title,
            labels=[theme.label for theme, _n in counts.themes],
            values=[value(Count(n)) for _t, n in counts.themes],
            colour=colour,
        )

    return draw


def _themes_figure(
    learning_rows: Rows, *, partnership: Partnership, filters: ReportFilters
) -> Figure:
    counts = report_learning(partnership=partnership, filters=filters, rows=learning_rows)
    rows = _theme_rows(counts)
    rows += [
        ("Cases with learning recorded", [Count(counts.learning)]),
        ("Debrief recommended", [Count(counts.debrief)]),
        ("Multi-agency case review recommended", [Count(counts.case_review)]),
    ]
    title = "Cases by learning theme"
    return Figure(
        key="themes",
        title="Learning themes",
        summary="What should change, as recorded at resolution: cases naming each theme "
        "(a case may name several).",
        columns=["Theme", "Cases"],
        rows=rows,
        chart_title=title,
        draw=_theme_chart("chart-themes", title, counts, BLUE),
    )


def _dissent_figure(
    case_rows: Rows, learning_rows: Rows, *, partnership: Partnership, filters: ReportFilters
) -> Figure:
    dissent = report_dissent(
        partnership=partnership,
        filters=filters,
        case_rows=case_rows,
        learning_rows=learning_rows,
    )
    t = dissent.totals
    rows: list[tuple[str, list[Cell]]] = [
        ("Dissent cases", [Count(t.cases)]),
        ("Open", [Count(t.open)]),
        ("Resolved", [Count(t.resolved)]),
        ("Withdrawn", [Count(t.withdrawn)]),
    ]
    rows += [(f"Theme: {label}", cells) for label, cells in _theme_rows(dissent.themes)]
    title = "Dissent at conferences: cases by learning theme"
    return Figure(
        key="dissent",
        title="Dissent at child protection conferences",
        summary="Cases raised on a route for dissent recorded at a child protection "
        "conference, by outcome, and the learning themes recorded when they were resolved.",
        columns=["Measure", "Cases"],
        rows=rows,
        chart_title=title,
        draw=_theme_chart("chart-dissent", title, dissent.themes, charts.ORANGE),
    )
