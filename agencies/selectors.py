"""Reads of partnerships, agencies and people."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from agencies.calendars import WorkingCalendar, WorkingHours
from agencies.models import Agency, Partnership


def partnership_calendar(*, partnership: Partnership) -> WorkingCalendar:
    """The partnership's working calendar: its nation's bank holidays, closure days, close."""
    return WorkingCalendar(
        nation=partnership.nation,
        closure_days={c.date: c.name for c in partnership.closure_days.all()},
        close_of_business=partnership.close_of_business,
    )


def partnership_working_hours(*, partnership: Partnership) -> WorkingHours:
    """The partnership's working hours: its calendar, from its working day's start to its close."""
    return WorkingHours(
        calendar=partnership_calendar(partnership=partnership),
        starts=partnership.working_day_starts,
    )


def people_in_role(*, agency: Agency | None, partnership: Partnership, role: str) -> QuerySet[Any]:
    """Active people holding a role: in one agency, or (agency None) anywhere in the partnership."""
    # One filter() call, so the role and the agency are matched on the same membership.
    where: dict[str, Any] = {"memberships__role": role}
    if agency is not None:
        where["memberships__agency"] = agency
    else:
        where["memberships__agency__partnership"] = partnership
    return get_user_model().objects.filter(is_active=True, **where).distinct().order_by("pk")
