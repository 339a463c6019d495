"""What every signed-in request passes: the idle time-out and the second factor.

Idle: a session idle too long (RESOLVE_IDLE_MINUTES, 30 by default) is signed out.

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
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from .two_factor import has_app, proved

LAST_SEEN = "resolve_last_seen"
# When the person signed in: stamping LAST_SEEN saves the session at each request, which
# would make SESSION_COOKIE_AGE slide; a sign-in still ends SESSION_COOKIE_AGE after it began.
SIGNED_IN_AT = "resolve_signed_in_at"


# The API's endpoints answer with problem details, never a redirect to a page.
API_PATH = "/api/v1/"


def api_refusal(request: HttpRequest, detail: str) -> HttpResponse | None:
    """For an API request, a 401 problem (not a redirect to sign in); None for a page."""
    if not request.path.startswith(API_PATH):
        return None
    response = JsonResponse(
        {"type": "about:blank", "title": "Not signed in", "status": 401, "detail": detail},
        status=401,
        content_type="application/problem+json",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


def stamp_sign_in(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """user_logged_in: the start of the sign-in, and its first activity."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


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
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            if last_seen is not None and now - float(last_seen) > idle_limit_seconds():
                return self.sign_out(
                    request,
                    f"You were signed out because nothing happened for "
                    f"{settings.RESOLVE_IDLE_MINUTES:g} minutes. Sign in again to go on.",
                )
            if now - float(signed_in_at) > settings.SESSION_COOKIE_AGE:
                return self.sign_out(
                    request,
                    f"You were signed out because a sign-in lasts "
                    f"{settings.SESSION_COOKIE_AGE / 3600:g} hours. Sign in again to go on.",
                )
            request.session[LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def sign_out(request: HttpRequest, message: str) -> HttpResponse:
        logout(request)
        if refused := api_refusal(request, message):
            return refused
        messages.warning(request, message)
        return redirect_to_login(request.get_full_path())


# The pages a person signed in with a password alone may reach: signing in and out, proving
# the second factor or setting it up, and keeping the session alive while they do.
BEFORE_SECOND_FACTOR = {
    "login",
    "logout",
    "accounts:two_factor_verify",
    "accounts:two_factor_setup",
    "accounts:keep_alive",
}


class TwoFactorMiddleware:
    """Until the second factor is proved in this session, every other page sends the person
    to prove it (or to set it up, the first time). RESOLVE_TWO_FACTOR=false waives it (the
    demo only). Requests without a session (the API's tokens) are not signed in here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: object, args: object, kwargs: object
    ) -> HttpResponse | None:
        user = request.user
        if not settings.RESOLVE_TWO_FACTOR or not user.is_authenticated:
            return None
        if proved(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in BEFORE_SECOND_FACTOR:
            return None
        if refused := api_refusal(
            request, "Prove your second factor in the browser, or use a personal access token."
        ):
            return refused
        target = "accounts:two_factor_verify" if has_app(user) else "accounts:two_factor_setup"
        return redirect_to_login(request.get_full_path(), login_url=reverse(target))
