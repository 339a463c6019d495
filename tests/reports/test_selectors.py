"""Every figure equals the value worked out by hand in tests/reports/scenario.py."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from agencies.selectors import partnership_calendar
from escalation.deadlines import working_days_between
from escalation.models import Learning
from reports.report import build_report
from reports.selectors import (
    ReportFilters,
    histogram_percentile,
    report_by_month,
    report_cases,
    report_dissent,
    report_durations,
    report_filter_choices,
    report_learning,
    report_overdue_by_step,
    report_resolved_at_step,
    report_stalls,
    report_totals,
)
from reports.themes import Theme
from tests.reports.scenario import NOW

pytestmark = pytest.mark.django_db

ALL = ReportFilters()


def cases(scenario, filters=ALL):
    return report_cases(partnership=scenario.world.partnership, filters=filters)


def scope(scenario, filters=ALL):
    return {"partnership": scenario.world.partnership, "filters": filters}


def test_working_days_to_close_is_stored_at_closing(scenario):
    stored = {name: case.working_days_to_close for name, case in scenario.cases.items()}
    assert stored == {"A": 2, "B": 6, "C": 4, "D": 11, "E": 3, "F": None, "G": 0}
    calendar = partnership_calendar(partnership=scenario.world.partnership)
    for case in scenario.cases.values():
        if case.closed_at:
            assert case.working_days_to_close == working_days_between(
                case.raised_at, case.closed_at, calendar
            )


def test_totals(scenario):
    totals = report_totals(cases(scenario))
    assert (totals.cases, totals.open, totals.resolved, totals.withdrawn) == (7, 1, 5, 1)


def test_raised_and_resolved_per_month(scenario):
    months = report_by_month(cases(scenario))
    assert [(m.month, m.raised, m.resolved) for m in months] == [
        (dt.date(2026, 12, 1), 5, 2),
        (dt.date(2027, 1, 1), 2, 3),
    ]


def test_median_and_90th_percentile_in_working_days_across_christmas(scenario):
    durations = report_durations(cases(scenario))
    assert durations.resolved == 5
    assert durations.median == 4.0
    assert durations.p90 == 9.0
    assert durations.buckets == [
        ("Same working day (0)", 1),
        ("1 to 5", 2),
        ("6 to 10", 1),
        ("11 to 20", 1),
        ("21 to 40", 0),
        ("More than 40", 0),
    ]


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(scenario):
    # Without G (0 days): 2, 4, 6, 11 -> median 5; p90 position 2.7 -> 6 + 0.7 * 5 = 9.5.
    durations = report_durations(cases(scenario, ReportFilters(route="standard")))
    assert (durations.resolved, durations.median, durations.p90) == (4, 5.0, 9.5)


def test_no_resolved_cases_has_no_median(scenario):
    durations = report_durations(cases(scenario, ReportFilters(outcome="open")))
    assert (durations.resolved, durations.median, durations.p90) == (0, None, None)


def test_overdue_rate_per_step(scenario):
    rows = report_overdue_by_step(now=NOW, **scope(scenario))
    # The targets count with step 1, once per case: B's passed on time, D's and F's went
    # overdue with their step 1.
    assert [(r.label, r.steps, r.overdue) for r in rows] == [
        ("Step 1", 7, 2),  # D (escalated late), F (open past due)
        ("Step 2", 2, 0),
        ("Step 3", 1, 0),
    ]


def test_overdue_depends_on_now_for_open_steps(scenario):
    before_f_due = dt.datetime(2027, 1, 12, 12, 0, tzinfo=dt.UTC)
    rows = report_overdue_by_step(now=before_f_due, **scope(scenario))
    assert [(r.label, r.overdue) for r in rows][:1] == [("Step 1", 1)]


def test_step_at_which_cases_were_resolved(scenario):
    assert report_resolved_at_step(**scope(scenario)) == [(1, 3), (2, 1), (3, 1)]


def test_where_disagreements_stall(scenario):
    numbers, stalls = report_stalls(now=NOW, **scope(scenario))
    assert numbers == [1]
    assert [(s.challenging, s.responding, s.by_step) for s in stalls] == [
        ("Hillside Health", "County Social Care", {1: 1}),
        ("Hillside Health", "Valley Police", {1: 1}),
    ]


def test_learning_themes(scenario):
    counts = report_learning(**scope(scenario))
    assert counts.learning == 5
    assert dict(counts.themes) == {
        Theme.PROTOCOLS: 0,
        Theme.TRAINING: 3,  # A, B ("Training"), G
        Theme.THRESHOLDS: 1,
        Theme.COMMUNICATION: 1,  # G, in words
        Theme.GAPS: 1,
    }
    assert counts.no_listed_theme == 1  # D
    assert (counts.debrief, counts.case_review) == (2, 1)


def test_dissent_at_conferences_with_its_themes(scenario):
    dissent = report_dissent(**scope(scenario))
    assert (dissent.totals.cases, dissent.totals.resolved, dissent.totals.open) == (1, 1, 0)
    assert dissent.themes.learning == 1
    assert {t for t, n in dissent.themes.themes if n} == {Theme.TRAINING, Theme.COMMUNICATION}


@pytest.mark.parametrize(
    ("make_filters", "expected"),
    [
        (lambda w: ReportFilters(raised_from=dt.date(2027, 1, 1)), {"F", "G"}),
        (lambda w: ReportFilters(raised_to=dt.date(2026, 12, 22)), {"C", "D"}),
        (
            lambda w: ReportFilters(
                raised_from=dt.date(2026, 12, 23), raised_to=dt.date(2026, 12, 23)
            ),
            {"A", "E"},
        ),
        (lambda w: ReportFilters(policy="oscb-children"), set("ABCDEFG")),
        (lambda w: ReportFilters(policy="sab-adults"), set()),
        (lambda w: ReportFilters(agency=w.unrelated.pk), {"F"}),
        (
            lambda w: ReportFilters(agency=w.responding.pk, other_agency=w.challenging.pk),
            set("ABCDEG"),
        ),
        (lambda w: ReportFilters(agency=w.unrelated.pk, other_agency=w.responding.pk), set()),
        (lambda w: ReportFilters(category="service-provision"), {"E"}),
        (lambda w: ReportFilters(route="conference-dissent"), {"G"}),
        (lambda w: ReportFilters(step_reached=2), {"B"}),
        (lambda w: ReportFilters(step_reached=1), {"A", "C", "E", "F", "G"}),
        (lambda w: ReportFilters(risk=True), {"C"}),
        (lambda w: ReportFilters(risk=False), set("ABDEFG")),
        (lambda w: ReportFilters(outcome="withdrawn"), {"E"}),
        (lambda w: ReportFilters(outcome="resolved"), set("ABCDG")),
    ],
)
def test_filters_select_the_right_cases(scenario, make_filters, expected):
    filters = make_filters(scenario.world)
    found = set(cases(scenario, filters).values_list("pk", flat=True))
    assert found == {scenario.cases[name].pk for name in expected}


def test_filters_narrow_every_figure(scenario):
    filters = ReportFilters(agency=scenario.world.unrelated.pk)  # F only: open, step 1 overdue
    report = build_report(now=NOW, **scope(scenario, filters))
    assert report.totals.cases == 1
    assert report.figure("overdue").shown_rows() == [
        ("Step 1", ["1", "1", "100%"]),
    ]
    assert report.figure("resolved-at").rows == []
    assert report_learning(**scope(scenario, filters)).learning == 0


def test_another_partnerships_cases_are_not_counted(scenario, lscb):
    with_other = report_totals(cases(scenario))
    lscb.raise_case()
    assert report_totals(cases(scenario)) == with_other
    assert report_totals(report_cases(partnership=lscb.partnership, filters=ALL)).cases == 1


def test_the_page_figures_in_words(scenario):
    report = build_report(now=NOW, **scope(scenario))
    assert report.figure("time-to-resolve").shown_rows()[:3] == [
        ("Resolved cases", ["5"]),
        ("Median working days to resolve", ["4"]),
        ("90th percentile working days to resolve", ["9"]),
    ]
    assert report.figure("by-month").shown_rows() == [
        ("Dec 2026", ["5", "2"]),
        ("Jan 2027", ["2", "3"]),
    ]
    assert report.figure("resolved-at").shown_rows() == [
        ("Step 1", ["3", "60%"]),
        ("Step 2", ["1", "20%"]),
        ("Step 3", ["1", "20%"]),
    ]
    assert report.figure("stalls").shown_rows() == [
        ("Hillside Health challenging County Social Care", ["1", "1"]),
        ("Hillside Health challenging Valley Police", ["1", "1"]),
    ]


# --- the figures as sums of a few GROUP BY rows --------------------------------------------


def _sorted_percentile(values, fraction):
    """percentile_cont worked the long way: sort every value, interpolate."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = int(position // 1), -int(-position // 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@pytest.mark.parametrize(
    "values",
    [[0], [3, 3], [0, 2, 4, 6, 11], [2, 4, 6, 11], [1, 1, 1, 2, 9, 9, 30], list(range(41)) * 3],
)
@pytest.mark.parametrize("fraction", [0.0, 0.5, 0.9, 1.0])
def test_a_percentile_from_the_histogram_equals_one_from_the_sorted_values(values, fraction):
    histogram = sorted(Counter(values).items())
    assert histogram_percentile(histogram, fraction) == pytest.approx(
        _sorted_percentile(values, fraction)
    )


def test_no_histogram_has_no_percentile():
    assert histogram_percentile([], 0.5) is None


def test_the_median_and_90th_percentile_equal_postgresqls_percentile_cont(scenario):
    from django.db import connection

    durations = report_durations(cases(scenario))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY working_days_to_close),"
            " percentile_cont(0.9) WITHIN GROUP (ORDER BY working_days_to_close)"
            " FROM escalation_case WHERE partnership_id = %s AND status = 'resolved'",
            [scenario.world.partnership.pk],
        )
        median, p90 = cursor.fetchone()
    assert (durations.median, durations.p90) == (median, p90) == (4.0, 9.0)


def test_a_theme_in_words_counts_whatever_its_letter_case(scenario):
    Learning.objects.filter(case=scenario.cases["C"]).update(themes=["GAPS IN PROVISION"])
    Learning.objects.filter(case=scenario.cases["D"]).update(themes=["Threshold Guidance"])
    counts = report_learning(**scope(scenario))
    assert dict(counts.themes)[Theme.GAPS] == 1  # C, in capitals
    assert dict(counts.themes)[Theme.THRESHOLDS] == 2  # A, and D in other letter case
    assert counts.no_listed_theme == 0


def test_the_report_takes_the_same_few_queries_however_many_cases(
    scenario, django_assert_num_queries
):
    partnership = scenario.world.partnership
    choices = report_filter_choices(partnership=partnership)
    # cases by month and status; working days; steps; agency names; learning; statements;
    # chases
    with django_assert_num_queries(7):
        before = build_report(partnership=partnership, filters=ALL, now=NOW, choices=choices)
    for _ in range(3):
        scenario.world.raise_case()
    with django_assert_num_queries(7):
        after = build_report(partnership=partnership, filters=ALL, now=NOW, choices=choices)
    assert (before.totals.cases, after.totals.cases) == (7, 10)


def test_resolved_at_step_counts_the_step_each_resolved_case_stood_at(scenario):
    expected = Counter(
        case.current_step.number
        for case in cases(scenario).filter(status="resolved").select_related("current_step")
    )
    assert report_resolved_at_step(**scope(scenario)) == sorted(expected.items())
