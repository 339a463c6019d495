"""Dates as UK forms write them, for the pro forma's PDFs: "5 December 2026, 4:30pm" and,
without a time, "5 December 2026". Always in Europe/London (the project's TIME_ZONE).

The time follows the GOV.UK style: 12-hour clock, "am"/"pm" with no space, no ":00" on the
hour, and "midday" / "midnight" rather than 12pm / 12am.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def uk_day(moment: dt.datetime | dt.date) -> str:
    """5 December 2026 (a datetime is taken in UK time first)."""
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    return f"{day.day} {day:%B %Y}"


def uk_time(moment: dt.datetime) -> str:
    """4:30pm, 5pm, midday, midnight, 9:05am, in UK time."""
    local = timezone.localtime(moment)
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def uk_moment(moment: dt.datetime) -> str:
    """5 December 2026, 4:30pm, in UK time."""
    return f"{uk_day(moment)}, {uk_time(moment)}"
