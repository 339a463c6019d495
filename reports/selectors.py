"""Reads for the board's reports: every figure is an aggregate query over the filtered cases.

Nothing here loops over cases in Python: each figure is one or two GROUP BY / aggregate
queries, so the page takes the same few queries for ten cases or a hundred thousand. The
figures carry no subject identifier and no free text; they are counts, rates and working days.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, TextField
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from agencies.models import Agency, Partnership
from escalation.deadlines import LONDON
from escalation.enums import CaseStatus
from escalation.models import Case, CaseStep, Learning, Policy, PolicyVersion
from escalation.policy import PolicySpec
from reports.rules import report_partnership_ids
from reports.themes import CONFERENCE_DISSENT_ROUTES, Theme

# --- who reads which partnership ---------------------------------------------------------


def report_partnerships_for_user(*, user: Any) -> QuerySet[Partnership]:
    """The partnerships whose reports the person may read (twin of reports.view_report)."""
    if not getattr(user, "is_authenticated", False):
        return Partnership.objects.none()
    return Partnership.objects.filter(pk__in=report_partnership_ids(user)).order_by("name")


# --- filters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    """The board's filters. Empty values filter nothing.

    raised_from/raised_to: the period, by the day the case was raised (Europe/London,
    both days included). agency: a party on either side; with other_agency, the pair
    (either way round). step_reached: the furthest step the case reached (its current step,
    or the step it closed at). risk: the risk of significant harm flag. outcome: the case's
    status (open, resolved, withdrawn).
    """

    raised_from: dt.date | None = None
    raised_to: dt.date | None = None
    policy: str = ""
    agency: int | None = None
    other_agency: int | None = None
    category: str = ""
    route: str = ""
    step_reached: int | None = None
    risk: bool | None = None
    outcome: str = ""

    def as_data(self) -> dict[str, Any]:
        """JSON-ready, for an export job."""
        data = asdict(self)
        for key in ("raised_from", "raised_to"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ReportFilters:
        values = dict(data)
        for key in ("raised_from", "raised_to"):
            values[key] = dt.date.fromisoformat(values[key]) if values.get(key) else None
        return cls(**values)


def _start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=LONDON)


def report_filter_q(*, partnership: Partnership, filters: ReportFilters, prefix: str = "") -> Q:
    """The filters as a Q over Case, or over a model reaching Case through `prefix`
    (e.g. "case__" for CaseStep and Learning), so each figure is one join, not a subquery."""

    def q(**lookups: Any) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in lookups.items()})

    where = q(partnership=partnership)
    f = filters
    if f.raised_from:
        where &= q(raised_at__gte=_start_of_day(f.raised_from))
    if f.raised_to:
        where &= q(raised_at__lt=_start_of_day(f.raised_to + dt.timedelta(days=1)))
    if f.policy:
        where &= q(policy_version__policy__slug=f.policy)
    if f.agency and f.other_agency:
        where &= q(challenging_agency_id=f.agency, responding_agency_id=f.other_agency) | q(
            challenging_agency_id=f.other_agency, responding_agency_id=f.agency
        )
    elif f.agency or f.other_agency:
        one = f.agency or f.other_agency
        where &= q(challenging_agency_id=one) | q(responding_agency_id=one)
    if f.category:
        where &= q(category=f.category)
    if f.route:
        where &= q(route=f.route)
    if f.step_reached is not None:
        where &= q(current_step__number=f.step_reached)
    if f.risk is not None:
        where &= q(risk_of_significant_harm=f.risk)
    if f.outcome:
        where &= q(status=f.outcome)
    return where


def report_cases(*, partnership: Partnership, filters: ReportFilters) -> QuerySet[Case]:
    """The partnership's cases that the filters select."""
    return Case.objects.filter(report_filter_q(partnership=partnership, filters=filters))


# --- what the filters can choose from -------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    policies: list[tuple[str, str]]
    agencies: list[tuple[int, str]]
    categories: list[tuple[str, str]]
    routes: list[tuple[str, str]]
    steps: list[int]


def report_policy_versions(*, partnership: Partnership) -> list[PolicyVersion]:
    """The policy versions the partnership's cases follow, and its adopted policy's versions.

    Candidates are the presets' and the partnership's own versions (a handful); each is
    tested with an indexed EXISTS, never a scan of the cases."""
    candidates = PolicyVersion.objects.filter(
        Q(policy__owner__isnull=True) | Q(policy__owner=partnership)
    ).select_related("policy")
    found = []
    for version in candidates:
        adopted = version.policy_id == partnership.adopted_policy_id and version.is_published
        if adopted or Case.objects.filter(partnership=partnership, policy_version=version).exists():
            found.append(version)
    return found


def report_filter_choices(*, partnership: Partnership) -> FilterChoices:
    from escalation.services import policy_spec

    versions = report_policy_versions(partnership=partnership)
    specs: list[PolicySpec] = [policy_spec(v) for v in versions]
    policies = {v.policy.slug: v.policy.name for v in versions}
    categories: dict[str, str] = {}
    routes: dict[str, str] = {}
    steps: set[int] = set()
    for spec in specs:
        for choice in spec.categories:
            categories.setdefault(choice.slug, choice.name)
        for route in spec.routes:
            routes.setdefault(route.slug, route.name)
            steps.update(s.number for s in route.ladder)
    agencies = [(a.pk, a.name) for a in Agency.objects.filter(partnership=partnership)]
    return FilterChoices(
        policies=sorted(policies.items(), key=lambda kv: kv[1]),
        agencies=agencies,
        categories=sorted(categories.items(), key=lambda kv: kv[1]),
        routes=sorted(routes.items(), key=lambda kv: kv[1]),
        steps=sorted(steps),
    )


def policy_name(slug: str) -> str:
    found = Policy.objects.filter(slug=slug).values_list("name", flat=True).first()
    return found or slug


# --- the figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    cases: int
    open: int
    resolved: int
    withdrawn: int


def report_totals(cases: QuerySet[Case]) -> Totals:
    found = cases.aggregate(
        cases=Count("pk"),
        open=Count("pk", filter=Q(status=CaseStatus.OPEN)),
        resolved=Count("pk", filter=Q(status=CaseStatus.RESOLVED)),
        withdrawn=Count("pk", filter=Q(status=CaseStatus.WITHDRAWN)),
    )
    return Totals(**found)


@dataclass(frozen=True)
class Month:
    month: dt.date  # the first day of the month
    raised: int
    resolved: int


def _month_start(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.astimezone(LONDON) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def report_by_month(cases: QuerySet[Case]) -> list[Month]:
    """Cases raised per month (by the day raised) and resolved per month (by the day resolved),
    in Europe/London months, every month from the first to the last with one, zeros included."""
    raised_rows = (
        cases.annotate(month=TruncMonth("raised_at", tzinfo=LONDON))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    resolved_rows = (
        cases.filter(status=CaseStatus.RESOLVED)
        .annotate(month=TruncMonth("closed_at", tzinfo=LONDON))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    raised = {_month_start(r["month"]): r["n"] for r in raised_rows}
    resolved = {_month_start(r["month"]): r["n"] for r in resolved_rows}
    known = set(raised) | set(resolved)
    if not known:
        return []
    return [
        Month(month=m, raised=raised.get(m, 0), resolved=resolved.get(m, 0))
        for m in _months_between(min(known), max(known))
    ]


# Buckets of working days to resolve: (label, lowest, highest or None).
DURATION_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("Same working day (0)", 0, 0),
    ("1 to 5", 1, 5),
    ("6 to 10", 6, 10),
    ("11 to 20", 11, 20),
    ("21 to 40", 21, 40),
    ("More than 40", 41, None),
)


@dataclass(frozen=True)
class Durations:
    """Working days from raising to resolution, of the resolved cases."""

    resolved: int
    median: float | None
    p90: float | None
    buckets: list[tuple[str, int]] = field(default_factory=list)


def _percentile(values: QuerySet[Case], n: int, fraction: float) -> float | None:
    """The fraction-th percentile by linear interpolation between the closest ranks
    (PostgreSQL's percentile_cont), read with ORDER BY / OFFSET so any database can do it."""
    if n == 0:
        return None
    position = fraction * (n - 1)
    low = math.floor(position)
    high = math.ceil(position)
    ordered = values.order_by("working_days_to_close").values_list(
        "working_days_to_close", flat=True
    )
    pair = [int(v or 0) for v in ordered[low : high + 1]]
    a, b = pair[0], pair[-1]
    return float(a + (b - a) * (position - low))


def report_durations(cases: QuerySet[Case]) -> Durations:
    """Median and 90th percentile of working days to resolve, and how many fall in each
    bucket. Working days are escalation.deadlines.working_days_between over the
    partnership's calendar, computed once when the case closed (Case.working_days_to_close)."""
    resolved = cases.filter(status=CaseStatus.RESOLVED, working_days_to_close__isnull=False)
    aggregates: dict[str, Any] = {"n": Count("pk")}
    for index, (_label, low, high) in enumerate(DURATION_BUCKETS):
        where = Q(working_days_to_close__gte=low)
        if high is not None:
            where &= Q(working_days_to_close__lte=high)
        aggregates[f"b{index}"] = Count("pk", filter=where)
    found = resolved.aggregate(**aggregates)
    n = found["n"]
    return Durations(
        resolved=n,
        median=_percentile(resolved, n, 0.5),
        p90=_percentile(resolved, n, 0.9),
        buckets=[(label, found[f"b{i}"]) for i, (label, _l, _h) in enumerate(DURATION_BUCKETS)],
    )


def _overdue_q(now: dt.datetime) -> Q:
    """A step went overdue: it ended after its due moment, or is still open past it."""
    return Q(completed_at__gt=F("due_at")) | Q(completed_at__isnull=True, due_at__lt=now)


@dataclass(frozen=True)
class StepOverdue:
    number: int
    is_target: bool
    steps: int  # steps with a due moment
    overdue: int

    @property
    def label(self) -> str:
        return f"Step {self.number} (target)" if self.is_target else f"Step {self.number}"


def report_step_rows(
    *, partnership: Partnership, filters: ReportFilters, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """One GROUP BY over the steps with a due moment: per agency pair, step number and
    target flag, how many steps and how many went overdue. The overdue-rate and stall
    figures are both sums of these rows (a few hundred at most, never one per case)."""
    now = now or timezone.now()
    return list(
        CaseStep.objects.filter(
            report_filter_q(partnership=partnership, filters=filters, prefix="case__"),
            due_at__isnull=False,
        )
        .values("case__challenging_agency_id", "case__responding_agency_id", "number", "is_target")
        .annotate(steps=Count("pk"), overdue=Count("pk", filter=_overdue_q(now)))
        .order_by()
    )


def report_overdue_by_step(
    *,
    partnership: Partnership,
    filters: ReportFilters,
    now: dt.datetime | None = None,
    rows: list[dict[str, Any]] | None = None,
) -> list[StepOverdue]:
    """Per step number: how many steps had a due moment, and how many went overdue.
    Steps due never are left out: they cannot be late."""
    if rows is None:
        rows = report_step_rows(partnership=partnership, filters=filters, now=now)
    sums: dict[tuple[int, bool], list[int]] = {}
    for row in rows:
        total = sums.setdefault((row["number"], row["is_target"]), [0, 0])
        total[0] += row["steps"]
        total[1] += row["overdue"]
    return [
        StepOverdue(number=number, is_target=target, steps=steps, overdue=overdue)
        for (number, target), (steps, overdue) in sorted(sums.items())
    ]


def report_resolved_at_step(cases: QuerySet[Case]) -> list[tuple[int, int]]:
    """(step number, resolved cases) for each step at which cases were resolved."""
    rows = (
        cases.filter(status=CaseStatus.RESOLVED)
        .values("current_step__number")
        .annotate(n=Count("pk"))
        .order_by("current_step__number")
    )
    return [(row["current_step__number"], row["n"]) for row in rows]


@dataclass(frozen=True)
class Stall:
    challenging: str
    responding: str
    by_step: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.by_step.values())

    @property
    def label(self) -> str:
        return f"{self.challenging} challenging {self.responding}"


def report_stalls(
    *,
    partnership: Partnership,
    filters: ReportFilters,
    now: dt.datetime | None = None,
    rows: list[dict[str, Any]] | None = None,
) -> tuple[list[int], list[Stall]]:
    """Where disagreements stall: per agency pair (challenging, responding) and step, the
    steps that went overdue. Returns the step numbers that appear and the pairs, most
    stalls first."""
    if rows is None:
        rows = report_step_rows(partnership=partnership, filters=filters, now=now)
    names = dict(Agency.objects.filter(partnership=partnership).values_list("pk", "name"))
    pairs: dict[tuple[int, int], dict[int, int]] = {}
    numbers: set[int] = set()
    for row in rows:  # one row per pair and step, never per case
        if row["is_target"] or not row["overdue"]:
            continue
        key = (row["case__challenging_agency_id"], row["case__responding_agency_id"])
        by_step = pairs.setdefault(key, {})
        by_step[row["number"]] = by_step.get(row["number"], 0) + row["overdue"]
        numbers.add(row["number"])
    stalls = [
        Stall(challenging=names.get(a, "?"), responding=names.get(b, "?"), by_step=by_step)
        for (a, b), by_step in pairs.items()
    ]
    stalls.sort(key=lambda s: (-s.total, s.challenging, s.responding))
    return sorted(numbers), stalls


@dataclass(frozen=True)
class ThemeCounts:
    """Learning recorded at resolution, counted by theme (a case may name several)."""

    learning: int  # cases with learning recorded
    themes: list[tuple[Theme, int]]
    no_listed_theme: int
    debrief: int
    case_review: int


def _theme_q(theme: Theme) -> Q:
    """Learning.themes is a JSON list of strings: match a whole element, by slug or words."""
    if connection.vendor == "postgresql":
        # jsonb ?| : one indexed-friendly test per row, no text casting.
        return Q(themes__has_any_keys=[theme.value, theme.label, theme.label.lower()])
    return Q(themes_text__icontains=f'"{theme.value}"') | Q(
        themes_text__icontains=f'"{theme.label}"'
    )


def report_themes(learning: QuerySet[Learning]) -> ThemeCounts:
    any_theme = Q(pk__in=[])
    aggregates: dict[str, Any] = {
        "learning": Count("pk"),
        "debrief": Count("pk", filter=Q(debrief_recommended=True)),
        "case_review": Count("pk", filter=Q(case_review_recommended=True)),
    }
    for theme in Theme:
        aggregates[theme.name] = Count("pk", filter=_theme_q(theme))
        any_theme |= _theme_q(theme)
    aggregates["no_listed_theme"] = Count("pk", filter=~any_theme)
    if connection.vendor != "postgresql":
        learning = learning.annotate(themes_text=Cast("themes", TextField()))
    found = learning.aggregate(**aggregates)
    return ThemeCounts(
        learning=found["learning"],
        themes=[(theme, found[theme.name]) for theme in Theme],
        no_listed_theme=found["no_listed_theme"],
        debrief=found["debrief"],
        case_review=found["case_review"],
    )


def report_learning(*, partnership: Partnership, filters: ReportFilters) -> ThemeCounts:
    return report_themes(
        Learning.objects.filter(
            report_filter_q(partnership=partnership, filters=filters, prefix="case__")
        )
    )


@dataclass(frozen=True)
class Dissent:
    """Dissent recorded at a child protection conference: the cases on those routes."""

    totals: Totals
    themes: ThemeCounts


def report_dissent(*, partnership: Partnership, filters: ReportFilters) -> Dissent:
    where = report_filter_q(partnership=partnership, filters=filters)
    on_route = Q(route__in=CONFERENCE_DISSENT_ROUTES)
    totals = report_totals(Case.objects.filter(where & on_route))
    learning = Learning.objects.filter(
        report_filter_q(partnership=partnership, filters=filters, prefix="case__"),
        case__route__in=CONFERENCE_DISSENT_ROUTES,
    )
    return Dissent(totals=totals, themes=report_themes(learning))
