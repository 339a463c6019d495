"""Making and checking personal access tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.utils import timezone

from api.models import ApiToken

PREFIX = "rsv_"


def token_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def token_create(*, user: Any, name: str = "") -> tuple[ApiToken, str]:
    """A new token for the person and its text, which is never stored and shown only now."""
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    text = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    days = int(getattr(settings, "RESOLVE_API_TOKEN_DAYS", 90))
    token = ApiToken.objects.create(
        user=user,
        name=name or "API token",
        prefix=prefix,
        digest=token_digest(text),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return token, text


def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_check(text: str) -> ApiToken | None:
    """The live token this text is, or None (unknown, wrong, expired or revoked)."""
    parts = text.split("_", 2)
    if len(parts) != 3 or f"{parts[0]}_" != PREFIX or len(parts[1]) != 8:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, token_digest(text)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
