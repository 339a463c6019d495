"""Pages of signing in and staying signed in."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from .middleware import idle_seconds_left


def lock_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    assert isinstance(cool_off, timedelta)
    return int(cool_off.total_seconds() // 60)


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer once a username or an address has failed too often (429)."""
    return render(
        request,
        "accounts/locked_out.html",
        {"failures": settings.AXES_FAILURE_LIMIT, "minutes": lock_minutes()},
        status=429,
    )


@login_required
@require_POST
def keep_alive(request: HttpRequest) -> JsonResponse:
    """The idle warning's "Stay signed in": the request itself counts as activity."""
    return JsonResponse({"idle_seconds": idle_seconds_left(request)})
