"""Signing out a session that has been idle too long (RESOLVE_IDLE_MINUTES, 30 by default).

Each request of a signed-in session stamps the session with its time; a request that comes
more than the idle time after the last one signs the person out and sends them to sign in
again, with a message saying why. The page warns before that happens
(static/js/idle-warning.mjs, using the seconds left given by context_processors.idle_warning).
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

LAST_SEEN = "resolve_last_seen"


def idle_limit_seconds() -> int:
    return int(settings.RESOLVE_IDLE_MINUTES * 60)


def idle_seconds_left(request: HttpRequest) -> int:
    last_seen = request.session.get(LAST_SEEN, time.time())
    return max(0, int(idle_limit_seconds() - (time.time() - float(last_seen))))


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - float(last_seen) > idle_limit_seconds():
                logout(request)
                messages.warning(
                    request,
                    f"You were signed out because nothing happened for "
                    f"{settings.RESOLVE_IDLE_MINUTES:g} minutes. Sign in again to go on.",
                )
                return redirect_to_login(request.get_full_path())
            request.session[LAST_SEEN] = now
        return self.get_response(request)
