"""What the header and navigation of every page need."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from agencies.enums import Role
from escalation.rules import seats


def _url(name: str) -> str | None:
    """The page's address, or None while that page does not exist yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _overdue_count(user: Any) -> int:
    """The number of cases on the safeguarding lead's overdue page: the lead's calendars
    (one query) and one COUNT."""
    from escalation.queries.oversight import overdue_count

    return overdue_count(user=user)


def navigation(request: HttpRequest) -> dict[str, Any]:
    # A request refused before authentication (a Host not allowed) has no user.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    my_seats = seats(user)
    roles = {s.role for s in my_seats}
    from agencies.models import Partnership

    partnership_ids = sorted({s.partnership_id for s in my_seats})
    names = list(
        Partnership.objects.filter(pk__in=partnership_ids)
        .order_by("name")
        .values_list("name", flat=True)
    )
    return {
        "nav_raise_url": _url("escalation:raise"),
        "nav_overdue_url": _url("escalation:overdue"),
        "nav_overdue_count": _overdue_count(user) if Role.SAFEGUARDING_LEAD in roles else 0,
        "inbox_url": _url("notifications:inbox"),
        "nav_partnership_name": " / ".join(names),
        "nav_is_lead": Role.SAFEGUARDING_LEAD in roles,
        "nav_is_board": bool(roles & {Role.BOARD_STAFF, Role.STRATEGIC_MANAGER}),
        "nav_can_raise": any(
            s.role
            in (Role.PRACTITIONER, Role.LINE_MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD)
            for s in my_seats
        ),
    }
