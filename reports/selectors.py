"""Reads for the board's reports: every figure sums aggregate rows over the filtered cases.

Nothing here loops over cases in Python: the figures share four GROUP BY queries whose rows
are a few hundred at most, so the page takes the same few queries for ten cases or a
hundred thousand. The figures carry no subject identifier and no free text; they are
counts, rates and working days. The learning statements are the one free text, listed
without their case and checked for its subject identifiers (report_learning_statements).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, TextField
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from agencies.calendars import LONDON
from agencies.models import Agency, Partnership
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
    status (open, resolved, withdrawn). theme: a LearningTheme slug; it narrows the learning
    statements to those naming it, not the figures (which count every theme).
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
    theme: str = ""

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
    from escalation.queries.policies import policy_spec

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
#
# The page reads the filtered cases in four GROUP BY queries, each returning a few hundred
# rows at most (never one per case), and sums those rows here:
#   report_case_rows      cases by (month raised, month closed, status, route): the totals,
#                         the months and the dissent totals;
#   report_duration_rows  resolved cases by working days to close: the median, the 90th
#                         percentile and the bands, exactly, from that histogram;
#   report_step_rows      steps by (agency pair, step): the overdue rates, the stalls
#                         and the step at which cases were resolved;
#   report_learning_rows  learning by (themes, debrief, case review, route): the themes and
#                         the dissent themes.
# Each figure's function takes those rows, or runs its query itself when given none.

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Totals:
    cases: int
    open: int
    resolved: int
    withdrawn: int


def report_case_rows(cases: QuerySet[Case]) -> Rows:
    """The cases counted by (month raised, month closed, status, route), in Europe/London
    months: at most months x months-to-close x statuses x routes rows."""
    return list(
        cases.annotate(
            raised_month=TruncMonth("raised_at", tzinfo=LONDON),
            closed_month=TruncMonth("closed_at", tzinfo=LONDON),
        )
        .values("raised_month", "closed_month", "status", "route")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _totals_of(rows: Rows) -> Totals:
    by_status: Counter[str] = Counter()
    for row in rows:
        by_status[row["status"]] += row["n"]
    return Totals(
        cases=sum(by_status.values()),
        open=by_status[CaseStatus.OPEN],
        resolved=by_status[CaseStatus.RESOLVED],
        withdrawn=by_status[CaseStatus.WITHDRAWN],
    )


def report_totals(cases: QuerySet[Case], *, rows: Rows | None = None) -> Totals:
    return _totals_of(report_case_rows(cases) if rows is None else rows)


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


def report_by_month(cases: QuerySet[Case], *, rows: Rows | None = None) -> list[Month]:
    """Cases raised per month (by the day raised) and resolved per month (by the day resolved),
    in Europe/London months, every month from the first to the last with one, zeros included."""
    if rows is None:
        rows = report_case_rows(cases)
    raised: Counter[dt.date] = Counter()
    resolved: Counter[dt.date] = Counter()
    for row in rows:
        raised[_month_start(row["raised_month"])] += row["n"]
        if row["status"] == CaseStatus.RESOLVED and row["closed_month"] is not None:
            resolved[_month_start(row["closed_month"])] += row["n"]
    known = set(raised) | set(resolved)
    if not known:
        return []
    return [
        Month(month=m, raised=raised[m], resolved=resolved[m])
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


Histogram = list[tuple[int, int]]  # (working days, resolved cases), days ascending


def report_duration_rows(cases: QuerySet[Case]) -> Histogram:
    """The resolved cases counted by working days to close: one row per distinct number of
    days (a few hundred at most), so medians need no sort of the cases."""
    rows = (
        cases.filter(status=CaseStatus.RESOLVED, working_days_to_close__isnull=False)
        .values("working_days_to_close")
        .annotate(n=Count("pk"))
        .order_by("working_days_to_close")
    )
    return [(row["working_days_to_close"], row["n"]) for row in rows]


def _value_at(histogram: Histogram, rank: int) -> int:
    """The rank-th smallest value (from 0) of the cases the histogram counts."""
    seen = 0
    for value, count in histogram:
        seen += count
        if rank < seen:
            return value
    raise IndexError(rank)


def histogram_percentile(histogram: Histogram, fraction: float) -> float | None:
    """The fraction-th percentile by linear interpolation between the closest ranks
    (PostgreSQL's percentile_cont), read from a histogram of whole numbers: exact, the same
    as sorting every case."""
    n = sum(count for _value, count in histogram)
    if n == 0:
        return None
    position = fraction * (n - 1)
    low = math.floor(position)
    a, b = _value_at(histogram, low), _value_at(histogram, math.ceil(position))
    return float(a + (b - a) * (position - low))


def report_durations(cases: QuerySet[Case], *, histogram: Histogram | None = None) -> Durations:
    """Median and 90th percentile of working days to resolve, and how many fall in each
    bucket. Working days are escalation.deadlines.working_days_between over the
    partnership's calendar, computed once when the case closed (Case.working_days_to_close)."""
    if histogram is None:
        histogram = report_duration_rows(cases)
    buckets = [
        (label, sum(n for days, n in histogram if low <= days and (high is None or days <= high)))
        for label, low, high in DURATION_BUCKETS
    ]
    return Durations(
        resolved=sum(n for _days, n in histogram),
        median=histogram_percentile(histogram, 0.5),
        p90=histogram_percentile(histogram, 0.9),
        buckets=buckets,
    )


def _overdue_q(now: dt.datetime) -> Q:
    """A step went overdue: it ended after its due moment, or is still open past it."""
    return Q(completed_at__gt=F("due_at")) | Q(completed_at__isnull=True, due_at__lt=now)


# A step 0 target runs beside step 1: the rate counts it with that step, never on its own.
TARGET_BESIDE = 1


@dataclass(frozen=True)
class StepOverdue:
    number: int
    steps: int  # steps with a due moment (step 1 with its target's, where it has one)
    overdue: int

    @property
    def label(self) -> str:
        return f"Step {self.number}"


def report_step_rows(
    *, partnership: Partnership, filters: ReportFilters, now: dt.datetime | None = None
) -> Rows:
    """One GROUP BY over the filtered cases' steps: per agency pair and step number, how many
    steps had a due moment (steps), how many went overdue (overdue) and how many cases were
    resolved at that step (resolved: the step is the resolved case's current step). The
    overdue-rate, stall and resolved-at figures are sums of these rows (a few hundred at
    most, never one per case).

    Each case's step counts once: a step 0 target is not a row of its own but part of the
    step 1 it runs beside, which went overdue when it or its target did. A target ends when
    met or when the case moves on past step 1 (passed), so one still open on a case at step
    3 is not overdue for ever."""
    now = now or timezone.now()
    where = report_filter_q(partnership=partnership, filters=filters, prefix="case__")
    late_targets = (
        CaseStep.objects.filter(where, is_target=True).filter(_overdue_q(now)).values("case_id")
    )
    target_late = Q(number=TARGET_BESIDE, case_id__in=late_targets)
    return list(
        CaseStep.objects.filter(where, is_target=False)
        .values("case__challenging_agency_id", "case__responding_agency_id", "number")
        .annotate(
            steps=Count("pk", filter=Q(due_at__isnull=False) | target_late),
            overdue=Count("pk", filter=_overdue_q(now) | target_late),
            resolved=Count(
                "pk", filter=Q(case__status=CaseStatus.RESOLVED, case__current_step=F("pk"))
            ),
        )
        .order_by()
    )


def report_overdue_by_step(
    *,
    partnership: Partnership,
    filters: ReportFilters,
    now: dt.datetime | None = None,
    rows: Rows | None = None,
) -> list[StepOverdue]:
    """Per step number: how many steps had a due moment, and how many went overdue.
    Steps due never are left out: they cannot be late."""
    if rows is None:
        rows = report_step_rows(partnership=partnership, filters=filters, now=now)
    sums: dict[int, list[int]] = {}
    for row in rows:
        if not row["steps"]:
            continue
        total = sums.setdefault(row["number"], [0, 0])
        total[0] += row["steps"]
        total[1] += row["overdue"]
    return [
        StepOverdue(number=number, steps=steps, overdue=overdue)
        for number, (steps, overdue) in sorted(sums.items())
    ]


def report_resolved_at_step(
    *,
    partnership: Partnership,
    filters: ReportFilters,
    rows: Rows | None = None,
) -> list[tuple[int, int]]:
    """(step number, resolved cases) for each step at which cases were resolved (the step
    the case stood at when it was resolved: its current step)."""
    if rows is None:
        rows = report_step_rows(partnership=partnership, filters=filters)
    sums: Counter[int] = Counter()
    for row in rows:
        if row["resolved"]:
            sums[row["number"]] += row["resolved"]
    return sorted(sums.items())


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
    rows: Rows | None = None,
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
        if not row["overdue"]:
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


# A theme is named by its slug or its words, whatever the letter case.
_THEME_NAMES: dict[Theme, frozenset[str]] = {
    theme: frozenset({theme.value.casefold(), theme.label.casefold()}) for theme in Theme
}


def _named(themes: Any) -> set[str]:
    """Learning.themes (a JSON list of strings) as the set of its names, case folded. A bare
    string counts as one name, and an object's keys as names (as jsonb's ?| reads them)."""
    if isinstance(themes, str):
        items: list[Any] = [themes]
    elif isinstance(themes, dict):
        items = list(themes)
    elif isinstance(themes, list):
        items = themes
    else:
        items = []
    return {item.casefold() for item in items if isinstance(item, str)}


def report_learning_rows(*, partnership: Partnership, filters: ReportFilters) -> Rows:
    """The filtered cases' learning counted by (themes, debrief, case review, route): themes
    are chosen from a short list, so the rows are the few combinations recorded."""
    return list(
        Learning.objects.filter(
            report_filter_q(partnership=partnership, filters=filters, prefix="case__")
        )
        .values("themes", "debrief_recommended", "case_review_recommended", "case__route")
        .annotate(n=Count("pk"))
        .order_by()
    )


def report_themes(rows: Rows) -> ThemeCounts:
    """Sums learning rows (report_learning_rows) by theme."""
    learning = debrief = case_review = no_listed_theme = 0
    per_theme = dict.fromkeys(Theme, 0)
    for row in rows:
        n = row["n"]
        learning += n
        debrief += n if row["debrief_recommended"] else 0
        case_review += n if row["case_review_recommended"] else 0
        names = _named(row["themes"])
        listed = [theme for theme in Theme if names & _THEME_NAMES[theme]]
        for theme in listed:
            per_theme[theme] += n
        if not listed:
            no_listed_theme += n
    return ThemeCounts(
        learning=learning,
        themes=list(per_theme.items()),
        no_listed_theme=no_listed_theme,
        debrief=debrief,
        case_review=case_review,
    )


def report_learning(
    *, partnership: Partnership, filters: ReportFilters, rows: Rows | None = None
) -> ThemeCounts:
    if rows is None:
        rows = report_learning_rows(partnership=partnership, filters=filters)
    return report_themes(rows)


@dataclass(frozen=True)
class Dissent:
    """Dissent recorded at a child protection conference: the cases on those routes."""

    totals: Totals
    themes: ThemeCounts


def report_dissent(
    *,
    partnership: Partnership,
    filters: ReportFilters,
    case_rows: Rows | None = None,
    learning_rows: Rows | None = None,
) -> Dissent:
    if case_rows is None:
        case_rows = report_case_rows(report_cases(partnership=partnership, filters=filters))
    if learning_rows is None:
        learning_rows = report_learning_rows(partnership=partnership, filters=filters)
    return Dissent(
        totals=_totals_of([r for r in case_rows if r["route"] in CONFERENCE_DISSENT_ROUTES]),
        themes=report_themes(
            [r for r in learning_rows if r["case__route"] in CONFERENCE_DISSENT_ROUTES]
        ),
    )


# --- the learning in words ---------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """One learning statement as the report lists it: no case, no subject identifier."""

    recorded_on: dt.date
    themes: list[Theme]  # the listed themes it names, in the list's order
    text: str


@dataclass(frozen=True)
class Statements:
    """The learning statements of the filtered cases, and those left out."""

    listed: list[Statement]
    withheld: int  # held the case's initials or a record number of the subject
    erased: int  # its case's free text was erased by retention: nothing to list

    @property
    def found(self) -> int:
        """Statements of the filters, withheld ones included (erased ones are gone)."""
        return len(self.listed) + self.withheld


_NOT_IN_IDENTIFIERS = str.maketrans("", "", " .\t\n")


@functools.lru_cache(maxsize=1024)
def _identifier_pattern(letters: str) -> re.Pattern[str]:
    """The identifier's characters as a word, whatever its letter case, with or without dots
    between them ("JD", "J.D.", "j.d")."""
    body = r"\.?".join(re.escape(c) for c in letters)
    return re.compile(rf"(?<![\w]){body}\.?(?![\w])", re.IGNORECASE)


def statement_names_subject(text: str, *identifiers: str) -> bool:
    """Whether the statement holds one of the case's subject identifiers as a word."""
    folded = text.casefold()
    for identifier in identifiers:
        letters = (identifier or "").translate(_NOT_IN_IDENTIFIERS)
        # The regular expression only when its first and last characters turn up: most
        # statements hold none of their case's identifiers, and the report reads them all.
        if not letters:
            continue
        key = letters.casefold()
        if key[0] in folded and key[-1] in folded and _identifier_pattern(letters).search(text):
            return True
    return False


def report_learning_statements(
    *, partnership: Partnership, filters: ReportFilters, theme: str = ""
) -> Statements:
    """The learning statements recorded at resolution of the filtered cases, newest first,
    naming `theme` (a LearningTheme slug) when one is given. A statement that holds its
    case's subject initials or record numbers as a word is withheld (counted, not listed);
    a case whose free text retention erased has none left (counted as erased)."""
    rows = (
        Learning.objects.filter(
            report_filter_q(partnership=partnership, filters=filters, prefix="case__")
        )
        # The themes as their JSON text: a few combinations recur over thousands of rows, so
        # each is decoded once (decoding every row's was most of the report's time).
        .annotate(themes_text=Cast("themes", TextField()))
        .values_list(
            "summary",
            "themes_text",
            "recorded_at",
            "case__subject_initials",
            "case__challenging_record_number",
            "case__responding_record_number",
            "case__erasure",
        )
        .order_by("-recorded_at", "-pk")
    )
    wanted = Theme(theme) if theme else None
    listed: list[Statement] = []
    withheld = erased = 0
    themes_of: dict[str, list[Theme]] = {}  # by the recorded list: a few combinations
    for summary, themes_text, recorded_at, initials, own, theirs, erasure in rows.iterator():
        named = themes_of.get(themes_text)
        if named is None:
            names = _named(json.loads(themes_text) if themes_text else [])
            named = themes_of[themes_text] = [t for t in Theme if names & _THEME_NAMES[t]]
        if wanted is not None and wanted not in named:
            continue
        text = (summary or "").strip()
        if erasure is not None or not text:
            erased += erasure is not None
            continue
        if statement_names_subject(text, initials, own, theirs):
            withheld += 1
            continue
        listed.append(
            Statement(recorded_on=recorded_at.astimezone(LONDON).date(), themes=named, text=text)
        )
    return Statements(listed=listed, withheld=withheld, erased=erased)
