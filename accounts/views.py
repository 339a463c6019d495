"""Pages of signing in and staying signed in, and of the person's own API tokens."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from api.models import ApiToken
from api.tokens import token_create, token_revoke
from config.http import AuthenticatedHttpRequest

from . import two_factor
from .forms import CodeForm, TokenForm
from .middleware import idle_seconds_left

FRESH_CODES = "resolve_fresh_backup_codes"
# A token just made: its text, carried across the redirect and dropped as it is shown.
FRESH_TOKEN = "resolve_fresh_api_token"


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


def next_page(request: HttpRequest) -> str:
    """Where to go once the second factor is proved: the page asked for, if it is ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: a bare word ("0", "home") would be taken for a URL name.
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL)


@login_required
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), enter its first code."""
    user = request.user
    if two_factor.has_app(user):
        return redirect("accounts:backup_codes")
    device = two_factor.pending_app(user)
    form = CodeForm(request.POST or None, help_text="The 6-digit code your app shows for Resolve")
    if request.method == "POST" and form.is_valid():
        outcome = two_factor.confirm_app(request, user, form.cleaned_data["code"])
        if isinstance(outcome, two_factor.Refusal):
            form.add_error("code", outcome.message)
        else:
            request.session[FRESH_CODES] = outcome
            messages.success(request, "Two-factor sign-in is set up.")
            return redirect(f"{reverse('accounts:backup_codes')}?next={next_page(request)}")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_svg(device),
            "secret": two_factor.secret_in_groups(device),
            "next": request.GET.get("next", ""),
            "has_errors": bool(form.errors),
        },
    )


@login_required
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """After the password: a code of the authenticator app, or a backup code."""
    user = request.user
    if not two_factor.has_app(user):
        return redirect(f"{reverse('accounts:two_factor_setup')}?next={next_page(request)}")
    if two_factor.proved(request.user):
        return redirect(next_page(request))
    form = CodeForm(
        request.POST or None,
        help_text="The 6-digit code your authenticator app shows now, or a backup code",
    )
    if request.method == "POST" and form.is_valid():
        refusal = two_factor.prove(request, user, form.cleaned_data["code"])
        if refusal is None:
            return redirect(next_page(request))
        form.add_error("code", refusal.message)
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": request.GET.get("next", ""), "has_errors": bool(form.errors)},
    )


@login_required
def backup_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The backup codes: shown once when made; a person may make new ones (the old stop)."""
    user = request.user
    if not two_factor.has_app(user):
        return redirect("accounts:two_factor_setup")
    if request.method == "POST":
        if not two_factor.proved(request.user):
            return redirect(f"{reverse('accounts:two_factor_verify')}?next={request.path}")
        request.session[FRESH_CODES] = two_factor.new_backup_codes(user)
        messages.success(request, "New backup codes made. The old ones no longer work.")
        return redirect("accounts:backup_codes")
    fresh = request.session.pop(FRESH_CODES, None)
    return render(
        request,
        "accounts/backup_codes.html",
        {
            "codes": fresh,
            "left": two_factor.backup_codes_left(user),
            "next": next_page(request),
        },
    )


def token_state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    return "works"


@never_cache
@login_required
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's own personal access tokens: name and make one (its text is shown once,
    on the page the making redirects to), see each one's state, revoke one."""
    user = request.user
    form = TokenForm(request.POST if request.method == "POST" else None)
    fresh = None
    if request.method == "POST":
        if form.is_valid():
            token, text = token_create(user=user, name=form.cleaned_data["name"])
            request.session[FRESH_TOKEN] = {"prefix": token.prefix, "text": text}
            messages.success(request, f"Token “{token.name}” made.")
            return redirect("accounts:api_tokens")
    else:
        fresh = request.session.pop(FRESH_TOKEN, None)
    now = timezone.now()
    tokens = [(token, token_state(token, now)) for token in user.api_tokens.all()]
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "fresh": fresh,
            "tokens": tokens,
            "days": int(getattr(settings, "RESOLVE_API_TOKEN_DAYS", 90)),
            "has_errors": bool(form.errors),
        },
    )


@login_required
@require_POST
def api_token_revoke(request: AuthenticatedHttpRequest, prefix: str) -> HttpResponse:
    """Revoke one of the person's own tokens; anyone else's is not found."""
    token = get_object_or_404(ApiToken, user=request.user, prefix=prefix)
    if token.revoked_at is None:
        token_revoke(token=token)
        messages.success(request, f"Token “{token.name}” ({token.prefix}) is revoked.")
    else:
        messages.success(request, f"Token “{token.name}” ({token.prefix}) was already revoked.")
    return redirect("accounts:api_tokens")
