"""A partnership's working calendar: which days are working days, and its working hours.

Working days are Monday to Friday, except the nation's bank holidays (the `holidays`
package, UK subdivisions) and the partnership's closure days. Working hours run on a
working day from the partnership's start of day to its close of business. Times are read
in Europe/London; moments are aware and returned in UTC.

Pure: no models and nothing of escalation, so the deadlines (escalation/deadlines.py), the
sweep and the reports all count days the same way from one place. A partnership's own
calendar is built from its row by agencies.selectors.partnership_calendar.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC

# agencies.enums.Nation value -> (the holidays package's GB subdivision, the name in words).
# Kept here so that this module stays free of Django; a test holds the two together.
NATIONS: Mapping[str, tuple[str, str]] = {
    "england": ("ENG", "England"),
    "wales": ("WLS", "Wales"),
    "scotland": ("SCT", "Scotland"),
    "northern-ireland": ("NIR", "Northern Ireland"),
}

WEEKEND = "weekend"


@functools.lru_cache(maxsize=64)
def _holidays_in_year(nation: str, year: int) -> Mapping[dt.date, str]:
    subdivision = NATIONS[nation][0]
    found = holidays.country_holidays("GB", subdiv=subdivision, years=year, language="en_GB")
    # The package says "(observed)"; UK bank holiday notices (and GOV.UK) say "substitute day".
    return {d: name.replace("(observed)", "(substitute day)") for d, name in sorted(found.items())}


def bank_holidays(nation: str, first_year: int, last_year: int) -> dict[dt.date, str]:
    """The nation's bank holidays from first_year to last_year inclusive, date -> name.

    The names are the `holidays` package's, with "(observed)" said the UK way: "Boxing Day
    (substitute day)". Each nation's year is looked up once and cached for the process.
    """
    if nation not in NATIONS:
        raise ValueError(_unknown_nation(nation))
    found: dict[dt.date, str] = {}
    for year in range(first_year, last_year + 1):
        found.update(_holidays_in_year(nation, year))
    return found


def _unknown_nation(nation: str) -> str:
    return f"unknown nation {nation!r}: use one of {', '.join(NATIONS)}"


@dataclass(frozen=True)
class WorkingCalendar:
    nation: str  # agencies.enums.Nation value
    closure_days: Mapping[dt.date, str] = field(default_factory=dict)
    close_of_business: dt.time = dt.time(17, 0)

    def __post_init__(self) -> None:
        if self.nation not in NATIONS:
            raise ValueError(_unknown_nation(self.nation))

    @property
    def nation_name(self) -> str:
        """The nation in words, e.g. "Northern Ireland"."""
        return NATIONS[self.nation][1]

    def holiday_name(self, d: dt.date) -> str | None:
        """The bank holiday on d in this nation, by the `holidays` package's name, or None."""
        return _holidays_in_year(self.nation, d.year).get(d)

    def non_working_reason(self, d: dt.date) -> str | None:
        """Why d is not a working day, or None when it is one.

        "weekend" for a Saturday or Sunday (a holiday that falls on a weekend is not named:
        its substitute day, if any, is the one that counts), else the bank holiday's name,
        else the closure day's name.
        """
        if d.weekday() >= 5:
            return WEEKEND
        return self.holiday_name(d) or self.closure_days.get(d)

    def is_working_day(self, d: dt.date) -> bool:
        """Monday to Friday, and neither a bank holiday of the nation nor a closure day."""
        return self.non_working_reason(d) is None

    def next_working_day(self, d: dt.date) -> dt.date:
        """The first working day after d."""
        d += dt.timedelta(days=1)
        while not self.is_working_day(d):
            d += dt.timedelta(days=1)
        return d

    def close_of_business_on(self, d: dt.date) -> dt.datetime:
        """Close of business on d, Europe/London local time, as an aware UTC moment."""
        return dt.datetime.combine(d, self.close_of_business, tzinfo=LONDON).astimezone(UTC)


@dataclass(frozen=True)
class WorkingHours:
    """A partnership's working calendar and the time its working day starts."""

    calendar: WorkingCalendar
    starts: dt.time = dt.time(8, 30)

    def start_on(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.starts, tzinfo=LONDON).astimezone(UTC)

    def close_on(self, day: dt.date) -> dt.datetime:
        return self.calendar.close_of_business_on(day)

    def is_open(self, moment: dt.datetime) -> bool:
        """Whether moment falls within working hours: a working day, from start to close."""
        local = moment.astimezone(LONDON)
        return (
            self.calendar.is_working_day(local.date())
            and self.starts <= local.time() < self.calendar.close_of_business
        )

    def horizon(self, moment: dt.datetime) -> dt.datetime:
        """No step due after this moment needs a notification at `moment`: the end of the
        next working day's date (a step due then gets its first reminder today)."""
        next_day = self.calendar.next_working_day(moment.astimezone(LONDON).date())
        midnight = dt.datetime.combine(next_day + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
        return midnight.astimezone(UTC)
