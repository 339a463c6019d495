"""Dates in the PDFs as UK forms write them, in Europe/London."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from proforma.dates import uk_day, uk_moment

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2026, 12, 5, 16, 30, tzinfo=LONDON), "5 December 2026, 4:30pm"),
        (dt.datetime(2026, 12, 5, 17, 0, tzinfo=LONDON), "5 December 2026, 5pm"),
        (dt.datetime(2026, 12, 5, 9, 5, tzinfo=LONDON), "5 December 2026, 9:05am"),
        (dt.datetime(2026, 12, 5, 12, 0, tzinfo=LONDON), "5 December 2026, midday"),
        (dt.datetime(2026, 12, 5, 0, 0, tzinfo=LONDON), "5 December 2026, midnight"),
        (dt.datetime(2026, 12, 5, 0, 40, tzinfo=LONDON), "5 December 2026, 12:40am"),
        (dt.datetime(2026, 12, 5, 12, 15, tzinfo=LONDON), "5 December 2026, 12:15pm"),
        # summer time: 16:00 UTC is 5pm in London; 23:30 UTC is already the next day there
        (dt.datetime(2027, 5, 4, 16, 0, tzinfo=UTC), "4 May 2027, 5pm"),
        (dt.datetime(2027, 5, 4, 23, 30, tzinfo=UTC), "5 May 2027, 12:30am"),
    ],
)
def test_a_moment_is_written_as_uk_forms_write_it(moment, expected):
    assert uk_moment(moment) == expected


def test_a_day_has_no_time_and_is_the_uk_day():
    assert uk_day(dt.datetime(2027, 5, 4, 23, 30, tzinfo=UTC)) == "5 May 2027"
    assert uk_day(dt.date(2026, 12, 5)) == "5 December 2026"
