"""Reads of partnerships, agencies and people."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from agencies.models import Agency, Partnership
from escalation.deadlines import WorkingCalendar


def partnership_calendar(*, partnership: Partnership) -> WorkingCalendar:
    """The partnership's working calendar: its nation's bank holidays, closure days, close."""
    return WorkingCalendar(
        nation=partnership.nation,
        closure_days={c.date: c.name for c in partnership.closure_days.all()},
        close_of_business=partnership.close_of_business,
    )


def people_in_role(*, agency: Agency | None, partnership: Partnership, role: str) -> QuerySet[Any]:
    """Active people holding a role: in one agency, or (agency None) anywhere in the partnership."""
    users = get_user_model().objects.filter(is_active=True, memberships__role=role)
    if agency is not None:
        users = users.filter(memberships__agency=agency)
    else:
        users = users.filter(memberships__agency__partnership=partnership)
    return users.distinct().order_by("pk")
