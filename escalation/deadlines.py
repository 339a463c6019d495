"""Working-day deadlines: the rules of DESIGN.md "Deadlines", with an explanation for each.

Pure functions over a calendar given to each of them (agencies.calendars.WorkingCalendar:
which days are working days, and the close of business); nothing here touches the database
or knows where a calendar comes from.

The rules, in short (docs/deadlines.md says them in plain words):

- Working days are the calendar's: Monday to Friday, except the nation's bank holidays and
  the partnership's closure days.
- The day of the event is day 0. An event at or after close of business, or on a day that
  is not a working day, counts from the next working day, which is then day 0.
- N working days: due at close of business on the Nth working day after day 0.
  Same working day: due at close of business on day 0. N clock hours: counted on the clock,
  whatever the calendar. None: due never.
- Moments are aware datetimes, returned in UTC; the calendar is read in Europe/London.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from agencies.calendars import LONDON, UTC, WEEKEND, WorkingCalendar

if TYPE_CHECKING:
    from escalation.policy import StepSpec

RuleKind = Literal["working_days", "same_working_day", "clock_hours", "none"]
CountedFrom = Literal["step_start", "raised"]

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


@dataclass(frozen=True)
class DeadlineRule:
    kind: RuleKind
    amount: int = 0  # working days or clock hours
    counted_from: CountedFrom = "step_start"

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DeadlineRule:
        return cls(
            kind=data["kind"],
            amount=int(data.get("amount", 0)),
            counted_from=data.get("from", "step_start"),
        )


@dataclass(frozen=True)
class Due:
    moment: dt.datetime | None  # aware; None: due never
    explanation: str


@dataclass(frozen=True)
class TimelineEntry:
    """One step of a policy timeline preview: when it starts and falls due, and why."""

    number: int
    name: str
    starts: dt.datetime | None  # aware UTC; None: waits on a step that is due never
    due: dt.datetime | None  # aware UTC; None: due never
    explanation: str


# --- formatting -----------------------------------------------------------------------


def _day(d: dt.date, *, year: bool = True) -> str:
    text = f"{_DAY_NAMES[d.weekday()]} {d.day} {_MONTH_NAMES[d.month - 1]}"
    return f"{text} {d.year}" if year else text


def _clock(moment: dt.datetime) -> str:
    return f"{moment:%H:%M}"


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone: deadlines need aware moments")
    return moment.astimezone(LONDON)


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def _skipped(days: Sequence[dt.date], calendar: WorkingCalendar) -> str:
    """The non-working days in words: named weekdays one by one, weekends together."""
    named: list[str] = []
    weekends: set[tuple[int, int]] = set()
    for d in days:
        reason = calendar.non_working_reason(d)
        if reason == WEEKEND:
            weekends.add(d.isocalendar()[:2])
        elif reason is not None:
            named.append(f"{_day(d, year=False)} {reason}")
    if weekends:
        named.append("the weekend" if len(weekends) == 1 else "the weekends")
    return _join(named)


def _days_after(first: dt.date, last: dt.date) -> list[dt.date]:
    """The days after first, up to and including last."""
    return [first + dt.timedelta(days=i) for i in range(1, (last - first).days + 1)]


# --- day 0 and working days -----------------------------------------------------------


def _day_zero(moment: dt.datetime, calendar: WorkingCalendar) -> tuple[dt.date, str | None]:
    local = _local(moment)
    event_day = local.date()
    reason = calendar.non_working_reason(event_day)
    if reason is not None:
        why = f"not a working day ({reason})"
    elif local.time() >= calendar.close_of_business:
        why = "at or after close of business"
    else:
        return event_day, None
    zero = calendar.next_working_day(event_day)
    moved = f"{why}, so day 0 is {_day(zero, year=False)}"
    between = [d for d in _days_after(event_day, zero)[:-1] if d.weekday() < 5]
    if between:
        moved += f", after {_skipped(between, calendar)}"
    return zero, moved


def day_zero(moment: dt.datetime, calendar: WorkingCalendar) -> dt.date:
    """Day 0 for an event at moment (aware): the day of the event in Europe/London, or
    the next working day when the event is at or after close of business or on a day
    that is not a working day."""
    return _day_zero(moment, calendar)[0]


def day_zero_reason(moment: dt.datetime, calendar: WorkingCalendar) -> str | None:
    """Why day 0 is not the day of the event, in words, or None when it is.

    E.g. "at or after close of business, so day 0 is Fri 27 Nov", or
    "not a working day (weekend), so day 0 is Tue 4 May, after Mon 3 May May Day".
    """
    return _day_zero(moment, calendar)[1]


def add_working_days(d: dt.date, n: int, calendar: WorkingCalendar) -> dt.date:
    """The nth working day after d (d itself is not counted and need not be a working
    day); d itself when n is 0."""
    if n < 0:
        raise ValueError(f"cannot count {n} working days: the count must be 0 or more")
    for _ in range(n):
        d = calendar.next_working_day(d)
    return d


def working_days_between(start: dt.datetime, end: dt.datetime, calendar: WorkingCalendar) -> int:
    """Working days elapsed from start to end (aware moments), for reports.

    Both ends are read as the deadline rules read an event: each has its day 0 (the day
    itself, or the next working day when at or after close of business or on a day that
    is not a working day). The answer is the number of working days after start's day 0
    up to and including end's day 0. So something raised and finished on the same working
    day took 0 working days, and something finished before the due moment of an
    "N working days" rule took at most N, while finishing at or after it gives N + 1 or
    more.
    """
    if end < start:
        raise ValueError(f"the end {end.isoformat()} is before the start {start.isoformat()}")
    first, last = day_zero(start, calendar), day_zero(end, calendar)
    return sum(1 for d in _days_after(first, last) if calendar.is_working_day(d))


# --- due moments ----------------------------------------------------------------------


NO_DEADLINE = "No deadline: this step is due never."


def compute_due(
    rule: DeadlineRule,
    *,
    step_start: dt.datetime,
    raised_at: dt.datetime,
    calendar: WorkingCalendar,
) -> Due:
    """When a step falls due under rule, with the explanation in words.

    The rule counts from step_start, or from raised_at when it is counted from the raising
    of the case. The moment is returned in UTC; the explanation shows Europe/London times.
    """
    if rule.kind == "none":
        return Due(moment=None, explanation=NO_DEADLINE)
    from_raising = rule.counted_from == "raised"
    origin = raised_at if from_raising else step_start
    local = _local(origin)

    if rule.kind == "clock_hours":
        moment = origin.astimezone(UTC) + dt.timedelta(hours=rule.amount)
        due_local = moment.astimezone(LONDON)
        start_text = f"{_clock(local)} {_day(local.date())}"
        due_text = f"{_clock(due_local)} {_day(due_local.date())}"
        if local.utcoffset() != due_local.utcoffset():
            # The clocks change in between: name the zones so the hours add up.
            start_text = f"{_clock(local)} {local:%Z} {_day(local.date())}"
            due_text = f"{_clock(due_local)} {due_local:%Z} {_day(due_local.date())}"
        hours = "clock hour" if rule.amount == 1 else "clock hours"
        counted = "the raising at " if from_raising else ""
        return Due(
            moment=moment,
            explanation=f"{rule.amount} {hours} from {counted}{start_text}; due {due_text}",
        )

    if rule.kind not in ("working_days", "same_working_day"):
        raise ValueError(f"unknown deadline rule kind {rule.kind!r}")

    zero, moved = _day_zero(origin, calendar)
    count = rule.amount if rule.kind == "working_days" else 0
    due_day = add_working_days(zero, count, calendar)
    moment = calendar.close_of_business_on(due_day)

    parts: list[str] = []
    if moved:
        verb = "Raised" if from_raising or origin == raised_at else "Step started"
        parts.append(f"{verb} {_day(local.date())} at {_clock(local)}, {moved}")
    counted = "the raising, " if from_raising else ""
    if rule.kind == "same_working_day":
        parts.append(f"same working day as {counted}{_day(zero)} (day 0), {calendar.nation_name}")
    else:
        unit = "working day" if count == 1 else "working days"
        parts.append(f"{count} {unit} from {counted}{_day(zero)} (day 0), {calendar.nation_name}")
    skipped = _skipped(_days_after(zero, due_day), calendar)
    if skipped:
        parts.append(f"skipped {skipped}")
    parts.append(f"due {_clock(moment.astimezone(LONDON))} {_day(due_day)}")
    explanation = "; ".join(parts)
    return Due(moment=moment, explanation=explanation[0].upper() + explanation[1:])


# --- the policy timeline preview ------------------------------------------------------


def timeline(
    steps: Sequence[StepSpec],
    *,
    start: dt.datetime,
    calendar: WorkingCalendar,
    risk: bool,
) -> list[TimelineEntry]:
    """What falls due when, if every step of a route runs to its deadline.

    The case is raised at start. Each ladder step starts at the moment the previous one
    is due (step 1 at the raising); a step 0 target starts at the raising beside step 1
    and never delays it. Once a ladder step is due never, every later step waits on it
    and has neither a start nor a due moment.
    """
    raised = _local(start).astimezone(UTC)
    entries: list[TimelineEntry] = []
    previous_due: dt.datetime = raised
    waits_on: int | None = None
    for spec in steps:
        rule = spec.rule(risk=risk)
        if spec.target:
            due = compute_due(rule, step_start=raised, raised_at=raised, calendar=calendar)
            entries.append(
                TimelineEntry(spec.number, spec.name, raised, due.moment, due.explanation)
            )
            continue
        if waits_on is not None:
            entries.append(
                TimelineEntry(
                    spec.number,
                    spec.name,
                    None,
                    None,
                    f"Waits on step {waits_on}, which is due never: no start or due moment.",
                )
            )
            continue
        starts = previous_due
        due = compute_due(rule, step_start=starts, raised_at=raised, calendar=calendar)
        entries.append(TimelineEntry(spec.number, spec.name, starts, due.moment, due.explanation))
        if due.moment is None:
            waits_on = spec.number
        else:
            previous_due = due.moment
    return entries


# --- reading a moment -----------------------------------------------------------------


def parse_moment(text: str) -> dt.datetime:
    """An ISO 8601 date and time as an aware UTC moment.

    Without an offset it is Europe/London local time; a date alone is midnight. A local
    time that the clocks skip (spring forward) or pass twice (fall back) is refused:
    give an offset then, e.g. +01:00 or +00:00.
    """
    example = "e.g. 2026-11-26T17:00 (Europe/London) or 2026-11-26T17:00+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text.strip())
    except (TypeError, ValueError):
        raise ValueError(f"{text!r} is not an ISO 8601 date and time, {example}") from None
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    first = parsed.replace(tzinfo=LONDON, fold=0)
    second = parsed.replace(tzinfo=LONDON, fold=1)
    if first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != parsed:
        raise ValueError(
            f"{text!r} does not exist in Europe/London (the clocks go forward then): "
            f"give an offset, {example}"
        )
    if first.utcoffset() != second.utcoffset():
        raise ValueError(
            f"{text!r} happens twice in Europe/London (the clocks go back then): "
            f"give an offset, {example}"
        )
    return first.astimezone(UTC)
