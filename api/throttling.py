"""A rate limit per personal access token: RESOLVE_API_RATE requests ("120/minute" by
default), counted in Django's default cache under the token's prefix. A browser session is not
limited here (the pages it comes from are)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return str(getattr(settings, "RESOLVE_API_RATE", "120/minute"))

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
