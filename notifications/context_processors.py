"""The unread count shown in every page's header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.selectors import inbox_unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    """`inbox_unread_count`, counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread_count": SimpleLazyObject(lambda: inbox_unread_count(user=user))}
