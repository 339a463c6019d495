"""The deadline rules of DESIGN.md "Deadlines", checked against hand-counted calendars.

Bank holidays come from the `holidays` package as installed (0.109, GB subdivisions ENG,
WLS, SCT, NIR). test_the_holidays_data_these_tests_count_on pins the days every other test
here relies on, so that a package upgrade that changes them fails there first. Facts from
that data that shape the expected dates:
- a substitute day is named "... (substitute day)" (the package says "(observed)"), e.g. "Boxing Day (substitute day)" on Mon 28 Dec 2026;
- Scotland: 2 Jan is a bank holiday ("New Year Holiday"; in 2027 it falls on a Saturday, so
  Mon 4 Jan 2027 is "New Year Holiday (substitute day)"); Easter Monday is not a Scottish bank
  holiday; St Andrew's Day is "Saint Andrew's Day" (Mon 30 Nov 2026);
- Northern Ireland: "Saint Patrick's Day" (Wed 17 Mar 2027);
- England and Wales share their bank holidays.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from agencies.calendars import NATIONS, WorkingCalendar, bank_holidays
from agencies.enums import Nation
from escalation.deadlines import (
    NO_DEADLINE,
    DeadlineRule,
    add_working_days,
    compute_due,
    day_zero,
    day_zero_reason,
    parse_moment,
    timeline,
    working_days_between,
)
from escalation.policy import StepSpec

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
ALL_NATIONS = ["england", "wales", "scotland", "northern-ireland"]

NONE = DeadlineRule("none")
SAME_DAY = DeadlineRule("same_working_day")


def days(n: int, counted_from: str = "step_start") -> DeadlineRule:
    return DeadlineRule("working_days", n, counted_from)


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A Europe/London wall-clock moment."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def due_for(rule: DeadlineRule, moment: dt.datetime, calendar: WorkingCalendar) -> dt.datetime:
    due = compute_due(rule, step_start=moment, raised_at=moment, calendar=calendar)
    assert due.moment is not None
    return due.moment


def step(number: int, rule: DeadlineRule, when_risk: DeadlineRule | None = None, **kw) -> StepSpec:
    return StepSpec(
        number=number,
        name=kw.pop("name", f"Step {number}"),
        actors={},
        deadline=rule,
        deadline_when_risk=when_risk or rule,
        **kw,
    )


# --- the data --------------------------------------------------------------------------


def test_the_holidays_data_these_tests_count_on():
    scotland = bank_holidays("scotland", 2026, 2027)
    england = bank_holidays("england", 2026, 2027)
    wales = bank_holidays("wales", 2026, 2027)
    northern_ireland = bank_holidays("northern-ireland", 2026, 2027)
    assert england[dt.date(2026, 12, 28)] == "Boxing Day (substitute day)"
    assert scotland[dt.date(2026, 11, 30)] == "Saint Andrew's Day"
    assert scotland[dt.date(2027, 1, 4)] == "New Year Holiday (substitute day)"
    assert scotland[dt.date(2026, 1, 2)] == "New Year Holiday"
    assert dt.date(2027, 3, 29) not in scotland  # no Easter Monday in Scotland
    assert england[dt.date(2027, 3, 29)] == "Easter Monday"
    assert northern_ireland[dt.date(2027, 3, 17)] == "Saint Patrick's Day"
    assert dt.date(2027, 3, 17) not in england
    assert wales == england
    assert wales[dt.date(2027, 5, 3)] == "May Day"


def test_nations_match_the_partnership_choices():
    assert set(NATIONS) == set(Nation.values)
    assert [WorkingCalendar(nation=n).nation_name for n in Nation.values] == list(Nation.labels)


def test_an_unknown_nation_is_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="england, wales, scotland, northern-ireland"):
        WorkingCalendar(nation="ireland")


@pytest.mark.parametrize(
    ("nation", "day", "reason"),
    [
        ("england", dt.date(2026, 12, 25), "Christmas Day"),
        ("england", dt.date(2026, 12, 26), "weekend"),  # Boxing Day on a Saturday
        ("england", dt.date(2026, 12, 28), "Boxing Day (substitute day)"),
        ("england", dt.date(2026, 12, 29), None),
        ("scotland", dt.date(2027, 3, 29), None),
        ("wales", dt.date(2027, 3, 29), "Easter Monday"),
        ("northern-ireland", dt.date(2027, 3, 17), "Saint Patrick's Day"),
        ("wales", dt.date(2027, 3, 17), None),
    ],
)
def test_non_working_reason(nation, day, reason):
    calendar = WorkingCalendar(nation=nation)
    assert calendar.non_working_reason(day) == reason
    assert calendar.is_working_day(day) is (reason is None)


def test_closure_days_are_not_working_days_and_a_bank_holiday_keeps_its_own_name():
    calendar = WorkingCalendar(
        nation="england",
        closure_days={dt.date(2026, 12, 9): "Staff training day", dt.date(2026, 12, 25): "Closed"},
    )
    assert calendar.non_working_reason(dt.date(2026, 12, 9)) == "Staff training day"
    assert calendar.is_working_day(dt.date(2026, 12, 9)) is False
    assert calendar.non_working_reason(dt.date(2026, 12, 25)) == "Christmas Day"
    assert calendar.is_working_day(dt.date(2026, 12, 10)) is True


# --- day 0 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected", "reason"),
    [
        (at(2026, 11, 26, 16, 59), dt.date(2026, 11, 26), None),
        (
            at(2026, 11, 26, 17, 0),
            dt.date(2026, 11, 27),
            "at or after close of business, so day 0 is Fri 27 Nov",
        ),
        (
            at(2027, 5, 1, 10, 0),
            dt.date(2027, 5, 4),
            "not a working day (weekend), so day 0 is Tue 4 May, after Mon 3 May May Day",
        ),
        (
            at(2027, 5, 3, 9, 0),
            dt.date(2027, 5, 4),
            "not a working day (May Day), so day 0 is Tue 4 May",
        ),
    ],
)
def test_day_zero_and_why_it_moved(moment, expected, reason):
    calendar = WorkingCalendar(nation="wales")
    assert day_zero(moment, calendar) == expected
    assert day_zero_reason(moment, calendar) == reason


def test_day_zero_reads_the_london_day_not_the_utc_day():
    # 23:30 UTC on Fri 7 May 2027 is 00:30 BST on Sat 8 May: a weekend, so Mon 10 May.
    moment = dt.datetime(2027, 5, 7, 23, 30, tzinfo=UTC)
    assert day_zero(moment, WorkingCalendar(nation="england")) == dt.date(2027, 5, 10)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="no time zone"):
        day_zero(dt.datetime(2027, 5, 7, 12, 0), WorkingCalendar(nation="england"))


# --- counting working days --------------------------------------------------------------


@pytest.mark.parametrize(
    ("nation", "start", "n", "expected"),
    [
        ("england", dt.date(2026, 12, 24), 0, dt.date(2026, 12, 24)),
        ("england", dt.date(2026, 12, 24), 1, dt.date(2026, 12, 29)),
        ("england", dt.date(2026, 12, 24), 5, dt.date(2027, 1, 5)),
        ("scotland", dt.date(2026, 12, 31), 1, dt.date(2027, 1, 5)),
        ("england", dt.date(2026, 12, 31), 1, dt.date(2027, 1, 4)),
        ("england", dt.date(2026, 12, 26), 1, dt.date(2026, 12, 29)),  # from a Saturday
    ],
)
def test_add_working_days(nation, start, n, expected):
    assert add_working_days(start, n, WorkingCalendar(nation=nation)) == expected


def test_add_working_days_refuses_a_negative_count():
    with pytest.raises(ValueError, match="0 or more"):
        add_working_days(dt.date(2026, 12, 24), -1, WorkingCalendar(nation="england"))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at(2026, 12, 23, 15), at(2026, 12, 23, 16), 0),  # same working day
        (at(2026, 12, 23, 15), at(2026, 12, 24, 9), 1),
        (at(2026, 12, 23, 15), at(2027, 1, 4, 16, 59), 5),  # before the 5-day due moment
        (at(2026, 12, 23, 15), at(2027, 1, 4, 17, 0), 6),  # at it: late
        (at(2026, 12, 23, 15), at(2027, 1, 2, 11), 5),  # a Saturday counts as Mon 4 Jan
        (at(2026, 12, 24, 17, 30), at(2026, 12, 29, 10), 0),  # both have day 0 Tue 29 Dec
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end, WorkingCalendar(nation="england")) == expected


def test_working_days_between_refuses_an_end_before_the_start():
    with pytest.raises(ValueError, match="before the start"):
        working_days_between(at(2027, 1, 4), at(2027, 1, 1), WorkingCalendar(nation="england"))


# --- compute_due: the explanations ------------------------------------------------------


def test_five_working_days_over_christmas_explained_in_full():
    due = compute_due(
        days(5),
        step_start=at(2026, 12, 24, 10),
        raised_at=at(2026, 12, 24, 10),
        calendar=WorkingCalendar(nation="england"),
    )
    assert due.moment == dt.datetime(2027, 1, 5, 17, 0, tzinfo=UTC)
    assert due.explanation == (
        "5 working days from Thu 24 Dec 2026 (day 0), England; skipped Fri 25 Dec Christmas "
        "Day, Mon 28 Dec Boxing Day (substitute day), Fri 1 Jan New Year's Day and the weekends; "
        "due 17:00 Tue 5 Jan 2027"
    )


def test_raised_at_close_of_business_says_day_0_moved():
    due = compute_due(
        days(1),
        step_start=at(2026, 11, 26, 17),
        raised_at=at(2026, 11, 26, 17),
        calendar=WorkingCalendar(nation="scotland"),
    )
    assert due.moment == dt.datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert due.explanation == (
        "Raised Thu 26 Nov 2026 at 17:00, at or after close of business, so day 0 is Fri 27 "
        "Nov; 1 working day from Fri 27 Nov 2026 (day 0), Scotland; skipped Mon 30 Nov Saint "
        "Andrew's Day and the weekend; due 17:00 Tue 1 Dec 2026"
    )


def test_no_deadline_is_due_never():
    due = compute_due(
        NONE,
        step_start=at(2027, 5, 1),
        raised_at=at(2027, 5, 1),
        calendar=WorkingCalendar(nation="wales"),
    )
    assert due.moment is None
    assert due.explanation == "No deadline: this step is due never."


def test_clock_hours_ignore_the_calendar():
    due = compute_due(
        DeadlineRule("clock_hours", 24),
        step_start=at(2026, 12, 23, 15),
        raised_at=at(2026, 12, 23, 15),
        calendar=WorkingCalendar(nation="england"),
    )
    assert due.moment == dt.datetime(2026, 12, 24, 15, 0, tzinfo=UTC)
    assert due.explanation == "24 clock hours from 15:00 Wed 23 Dec 2026; due 15:00 Thu 24 Dec 2026"


@pytest.mark.parametrize(
    ("start", "due_utc", "explanation"),
    [
        (  # the clocks go forward at 01:00 GMT on Sun 28 Mar 2027
            at(2027, 3, 27, 12),
            dt.datetime(2027, 3, 28, 12, 0, tzinfo=UTC),
            "24 clock hours from 12:00 GMT Sat 27 Mar 2027; due 13:00 BST Sun 28 Mar 2027",
        ),
        (  # the clocks go back at 02:00 BST on Sun 31 Oct 2027
            at(2027, 10, 30, 12),
            dt.datetime(2027, 10, 31, 11, 0, tzinfo=UTC),
            "24 clock hours from 12:00 BST Sat 30 Oct 2027; due 11:00 GMT Sun 31 Oct 2027",
        ),
    ],
)
def test_clock_hours_across_a_change_of_the_clocks(start, due_utc, explanation):
    due = compute_due(
        DeadlineRule("clock_hours", 24),
        step_start=start,
        raised_at=start,
        calendar=WorkingCalendar(nation="scotland"),
    )
    assert due.moment == due_utc
    assert due.explanation == explanation


def test_a_rule_counted_from_the_raising_ignores_the_step_start():
    due = compute_due(
        days(5, "raised"),
        step_start=at(2027, 3, 16, 17),
        raised_at=at(2027, 3, 12, 12),
        calendar=WorkingCalendar(nation="northern-ireland"),
    )
    assert due.moment == dt.datetime(2027, 3, 22, 17, 0, tzinfo=UTC)
    assert due.explanation == (
        "5 working days from the raising, Fri 12 Mar 2027 (day 0), Northern Ireland; skipped "
        "Wed 17 Mar Saint Patrick's Day and the weekends; due 17:00 Mon 22 Mar 2027"
    )


def test_moments_come_back_in_utc():
    due = due_for(SAME_DAY, at(2027, 5, 4, 9), WorkingCalendar(nation="england"))
    assert due.tzinfo == UTC
    assert due == dt.datetime(2027, 5, 4, 16, 0, tzinfo=UTC)  # 17:00 BST


# --- closure days ---------------------------------------------------------------------


def test_closure_day_is_skipped_and_named():
    calendar = WorkingCalendar(
        nation="england", closure_days={dt.date(2026, 12, 9): "Staff training day"}
    )
    due = compute_due(
        days(2), step_start=at(2026, 12, 8, 10), raised_at=at(2026, 12, 8, 10), calendar=calendar
    )
    assert due.moment == dt.datetime(2026, 12, 11, 17, 0, tzinfo=UTC)
    assert due.explanation == (
        "2 working days from Tue 8 Dec 2026 (day 0), England; skipped Wed 9 Dec Staff "
        "training day; due 17:00 Fri 11 Dec 2026"
    )


def test_raised_on_a_closure_day_counts_from_the_next_working_day():
    calendar = WorkingCalendar(
        nation="england", closure_days={dt.date(2026, 12, 9): "Staff training day"}
    )
    due = compute_due(
        days(1), step_start=at(2026, 12, 9, 10), raised_at=at(2026, 12, 9, 10), calendar=calendar
    )
    assert due.moment == dt.datetime(2026, 12, 11, 17, 0, tzinfo=UTC)
    assert due.explanation == (
        "Raised Wed 9 Dec 2026 at 10:00, not a working day (Staff training day), so day 0 is "
        "Thu 10 Dec; 1 working day from Thu 10 Dec 2026 (day 0), England; due 17:00 Fri 11 "
        "Dec 2026"
    )


# --- close of business 16:00 -----------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 12, 8, 15, 59), dt.datetime(2026, 12, 9, 16, 0, tzinfo=UTC)),
        (at(2026, 12, 8, 16, 0), dt.datetime(2026, 12, 10, 16, 0, tzinfo=UTC)),
        (at(2026, 12, 8, 16, 30), dt.datetime(2026, 12, 10, 16, 0, tzinfo=UTC)),
        (at(2027, 6, 8, 16, 0), dt.datetime(2027, 6, 10, 15, 0, tzinfo=UTC)),  # 16:00 BST
    ],
)
def test_a_partnership_that_closes_at_16_00(moment, expected):
    calendar = WorkingCalendar(nation="england", close_of_business=dt.time(16, 0))
    assert due_for(days(1), moment, calendar) == expected


def test_close_of_business_16_00_shows_in_the_explanation():
    calendar = WorkingCalendar(nation="england", close_of_business=dt.time(16, 0))
    due = compute_due(
        SAME_DAY, step_start=at(2026, 12, 8, 16), raised_at=at(2026, 12, 8, 16), calendar=calendar
    )
    assert due.explanation == (
        "Raised Tue 8 Dec 2026 at 16:00, at or after close of business, so day 0 is Wed 9 Dec; "
        "same working day as Wed 9 Dec 2026 (day 0), England; due 16:00 Wed 9 Dec 2026"
    )


# --- the four nations around the holidays, at 16:59, 17:00 and 17:01 -------------------
#
# Each moment maps nation -> (day 0, the due day of a 1-working-day rule). A step with
# "1 working day" without risk and "same working day" with risk is due at close of business
# on the second date without risk and on the first with it. Counted by hand on the dates
# pinned in test_the_holidays_data_these_tests_count_on.

E, W, S, N = "england", "wales", "scotland", "northern-ireland"


def _same(day0: dt.date, due: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    return {nation: (day0, due) for nation in ALL_NATIONS}


D = dt.date
AROUND_THE_HOLIDAYS: dict[str, tuple[dt.datetime, dict[str, tuple[dt.date, dt.date]]]] = {
    # Christmas: Fri 25 Dec and Mon 28 Dec 2026 (Boxing Day observed) everywhere.
    "christmas-eve-16:59": (at(2026, 12, 24, 16, 59), _same(D(2026, 12, 24), D(2026, 12, 29))),
    "christmas-eve-17:00": (at(2026, 12, 24, 17, 0), _same(D(2026, 12, 29), D(2026, 12, 30))),
    "christmas-eve-17:01": (at(2026, 12, 24, 17, 1), _same(D(2026, 12, 29), D(2026, 12, 30))),
    "christmas-day": (at(2026, 12, 25, 10, 0), _same(D(2026, 12, 29), D(2026, 12, 30))),
    # New Year: Fri 1 Jan 2027 everywhere; Scotland also Mon 4 Jan (2 Jan, observed).
    "new-years-eve-16:59": (
        at(2026, 12, 31, 16, 59),
        {
            E: (D(2026, 12, 31), D(2027, 1, 4)),
            W: (D(2026, 12, 31), D(2027, 1, 4)),
            S: (D(2026, 12, 31), D(2027, 1, 5)),
            N: (D(2026, 12, 31), D(2027, 1, 4)),
        },
    ),
    **{
        f"new-years-eve-{clock}": (
            at(2026, 12, 31, 17, minute),
            {
                E: (D(2027, 1, 4), D(2027, 1, 5)),
                W: (D(2027, 1, 4), D(2027, 1, 5)),
                S: (D(2027, 1, 5), D(2027, 1, 6)),
                N: (D(2027, 1, 4), D(2027, 1, 5)),
            },
        )
        for clock, minute in (("17:00", 0), ("17:01", 1))
    },
    "new-year-saturday": (
        at(2027, 1, 2, 11, 0),
        {
            E: (D(2027, 1, 4), D(2027, 1, 5)),
            W: (D(2027, 1, 4), D(2027, 1, 5)),
            S: (D(2027, 1, 5), D(2027, 1, 6)),
            N: (D(2027, 1, 4), D(2027, 1, 5)),
        },
    ),
    # Easter 2027: Good Friday 26 Mar everywhere; Easter Monday 29 Mar except in Scotland.
    # The clocks go forward on Sun 28 Mar: the due moments are 17:00 BST.
    "maundy-thursday-16:59": (
        at(2027, 3, 25, 16, 59),
        {
            E: (D(2027, 3, 25), D(2027, 3, 30)),
            W: (D(2027, 3, 25), D(2027, 3, 30)),
            S: (D(2027, 3, 25), D(2027, 3, 29)),
            N: (D(2027, 3, 25), D(2027, 3, 30)),
        },
    ),
    **{
        f"maundy-thursday-{clock}": (
            at(2027, 3, 25, 17, minute),
            {
                E: (D(2027, 3, 30), D(2027, 3, 31)),
                W: (D(2027, 3, 30), D(2027, 3, 31)),
                S: (D(2027, 3, 29), D(2027, 3, 30)),
                N: (D(2027, 3, 30), D(2027, 3, 31)),
            },
        )
        for clock, minute in (("17:00", 0), ("17:01", 1))
    },
    "easter-saturday": (
        at(2027, 3, 27, 10, 0),
        {
            E: (D(2027, 3, 30), D(2027, 3, 31)),
            W: (D(2027, 3, 30), D(2027, 3, 31)),
            S: (D(2027, 3, 29), D(2027, 3, 30)),
            N: (D(2027, 3, 30), D(2027, 3, 31)),
        },
    ),
    # St Patrick's Day: Wed 17 Mar 2027, Northern Ireland only.
    "before-st-patricks-16:59": (
        at(2027, 3, 16, 16, 59),
        {
            E: (D(2027, 3, 16), D(2027, 3, 17)),
            W: (D(2027, 3, 16), D(2027, 3, 17)),
            S: (D(2027, 3, 16), D(2027, 3, 17)),
            N: (D(2027, 3, 16), D(2027, 3, 18)),
        },
    ),
    **{
        f"before-st-patricks-{clock}": (
            at(2027, 3, 16, 17, minute),
            {
                E: (D(2027, 3, 17), D(2027, 3, 18)),
                W: (D(2027, 3, 17), D(2027, 3, 18)),
                S: (D(2027, 3, 17), D(2027, 3, 18)),
                N: (D(2027, 3, 18), D(2027, 3, 19)),
            },
        )
        for clock, minute in (("17:00", 0), ("17:01", 1))
    },
    "st-patricks-day": (
        at(2027, 3, 17, 10, 0),
        {
            E: (D(2027, 3, 17), D(2027, 3, 18)),
            W: (D(2027, 3, 17), D(2027, 3, 18)),
            S: (D(2027, 3, 17), D(2027, 3, 18)),
            N: (D(2027, 3, 18), D(2027, 3, 19)),
        },
    ),
    # An ordinary weekend.
    "sunday": (at(2027, 3, 14, 10, 0), _same(D(2027, 3, 15), D(2027, 3, 16))),
}


@pytest.mark.parametrize("risk", [False, True], ids=["no-risk", "risk"])
@pytest.mark.parametrize("nation", ALL_NATIONS)
@pytest.mark.parametrize("when", list(AROUND_THE_HOLIDAYS))
def test_due_across_the_nations_around_the_holidays(when, nation, risk):
    moment, expected = AROUND_THE_HOLIDAYS[when]
    day0, due_day = expected[nation]
    calendar = WorkingCalendar(nation=nation)
    spec = step(1, days(1), when_risk=SAME_DAY)

    due = compute_due(spec.rule(risk=risk), step_start=moment, raised_at=moment, calendar=calendar)

    assert day_zero(moment, calendar) == day0
    expected_day = day0 if risk else due_day
    assert due.moment == dt.datetime.combine(expected_day, dt.time(17, 0), tzinfo=LONDON)
    assert due.explanation.endswith(
        f"due 17:00 {expected_day:%a} {expected_day.day} {expected_day:%b %Y}"
    )


# --- the policy timeline preview: the worked examples of DESIGN.md ----------------------


def local(moment: dt.datetime | None) -> tuple[dt.date, str, str] | None:
    """A moment as (London date, HH:MM, zone name), for readable expectations."""
    if moment is None:
        return None
    moment = moment.astimezone(LONDON)
    return moment.date(), f"{moment:%H:%M}", f"{moment:%Z}"


FOUR_LSCB = [
    step(0, SAME_DAY, target=True, name="Concern put in writing"),
    step(1, days(1)),
    step(2, days(2)),
    step(3, days(2)),
    step(4, days(5)),
]
OSCB = [step(n, days(5)) for n in range(1, 6)]
SAB = [step(n, NONE, when_risk=SAME_DAY) for n in range(1, 5)]
SSAB = [step(1, days(2)), step(2, days(5, "raised")), step(3, days(10)), step(4, days(10))]


def test_timeline_4lscb_scotland_raised_at_close_of_business():
    raised = at(2026, 11, 26, 17, 0)
    entries = timeline(FOUR_LSCB, start=raised, calendar=WorkingCalendar("scotland"), risk=False)

    assert [(e.number, local(e.due)) for e in entries] == [
        (0, (D(2026, 11, 27), "17:00", "GMT")),
        (1, (D(2026, 12, 1), "17:00", "GMT")),
        (2, (D(2026, 12, 4), "17:00", "GMT")),
        (3, (D(2026, 12, 9), "17:00", "GMT")),
        (4, (D(2026, 12, 17), "17:00", "GMT")),
    ]
    # Step 0 and step 1 both start at the raising: the target does not delay step 1.
    assert entries[0].starts == entries[1].starts == raised
    assert entries[2].starts == entries[1].due
    assert "Mon 30 Nov Saint Andrew's Day" in entries[1].explanation
    assert entries[1].explanation.startswith(
        "Raised Thu 26 Nov 2026 at 17:00, at or after close of business, so day 0 is Fri 27 Nov"
    )


def test_timeline_oscb_england_over_christmas():
    entries = timeline(
        OSCB, start=at(2026, 12, 23, 15, 0), calendar=WorkingCalendar("england"), risk=False
    )
    assert [local(e.due) for e in entries] == [
        (D(2027, 1, 4), "17:00", "GMT"),
        (D(2027, 1, 12), "17:00", "GMT"),
        (D(2027, 1, 20), "17:00", "GMT"),
        (D(2027, 1, 28), "17:00", "GMT"),
        (D(2027, 2, 5), "17:00", "GMT"),
    ]
    assert entries[0].starts == at(2026, 12, 23, 15, 0)
    assert [e.starts for e in entries[1:]] == [e.due for e in entries[:-1]]


def test_timeline_sab_wales_with_risk():
    entries = timeline(
        SAB, start=at(2027, 5, 1, 10, 0), calendar=WorkingCalendar("wales"), risk=True
    )
    assert [(e.number, local(e.due)) for e in entries] == [
        (1, (D(2027, 5, 4), "17:00", "BST")),
        (2, (D(2027, 5, 5), "17:00", "BST")),
        (3, (D(2027, 5, 6), "17:00", "BST")),
        (4, (D(2027, 5, 7), "17:00", "BST")),
    ]
    assert entries[0].explanation == (
        "Raised Sat 1 May 2027 at 10:00, not a working day (weekend), so day 0 is Tue 4 May, "
        "after Mon 3 May May Day; same working day as Tue 4 May 2027 (day 0), Wales; "
        "due 17:00 Tue 4 May 2027"
    )


def test_timeline_sab_wales_without_risk_is_due_never():
    raised = at(2027, 5, 1, 10, 0)
    entries = timeline(SAB, start=raised, calendar=WorkingCalendar("wales"), risk=False)
    assert [(e.number, e.starts, e.due) for e in entries] == [
        (1, raised, None),
        (2, None, None),
        (3, None, None),
        (4, None, None),
    ]
    assert entries[0].explanation == NO_DEADLINE
    assert entries[3].explanation == (
        "Waits on step 1, which is due never: no start or due moment."
    )


def test_timeline_ssab_northern_ireland_stage_2_counts_from_the_raising():
    entries = timeline(
        SSAB, start=at(2027, 3, 12, 12, 0), calendar=WorkingCalendar("northern-ireland"), risk=False
    )
    assert [(e.number, local(e.due)) for e in entries] == [
        (1, (D(2027, 3, 16), "17:00", "GMT")),
        (2, (D(2027, 3, 22), "17:00", "GMT")),
        (3, (D(2027, 4, 8), "17:00", "BST")),
        (4, (D(2027, 4, 23), "17:00", "BST")),
    ]
    assert entries[1].starts == entries[0].due
    assert "skipped Wed 17 Mar Saint Patrick's Day" in entries[1].explanation
    assert "Fri 26 Mar Good Friday, Mon 29 Mar Easter Monday" in entries[2].explanation


def test_timeline_moments_are_utc():
    entries = timeline(
        SSAB, start=at(2027, 3, 12, 12), calendar=WorkingCalendar("england"), risk=False
    )
    assert {e.starts.tzinfo for e in entries if e.starts} == {UTC}
    assert {e.due.tzinfo for e in entries if e.due} == {UTC}


# --- parse_moment -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26T17:00", dt.datetime(2026, 11, 26, 17, 0, tzinfo=UTC)),  # GMT
        ("2027-05-01T10:00", dt.datetime(2027, 5, 1, 9, 0, tzinfo=UTC)),  # BST
        ("2027-05-01 10:00", dt.datetime(2027, 5, 1, 9, 0, tzinfo=UTC)),
        ("2027-05-01T10:00+00:00", dt.datetime(2027, 5, 1, 10, 0, tzinfo=UTC)),
        ("2027-05-01T10:00Z", dt.datetime(2027, 5, 1, 10, 0, tzinfo=UTC)),
        ("2027-05-01", dt.datetime(2027, 4, 30, 23, 0, tzinfo=UTC)),  # midnight BST
        ("2027-10-31T01:30+01:00", dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),
    ],
)
def test_parse_moment(text, expected):
    parsed = parse_moment(text)
    assert parsed == expected
    assert parsed.tzinfo == UTC


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tomorrow", "not an ISO 8601 date and time"),
        ("", "not an ISO 8601 date and time"),
        ("2026-13-01T10:00", "not an ISO 8601 date and time"),
        ("2027-03-28T01:30", "does not exist in Europe/London"),
        ("2027-10-31T01:30", "happens twice in Europe/London"),
    ],
)
def test_parse_moment_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        parse_moment(text)
