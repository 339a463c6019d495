"""Personal access tokens: a person's key to the API, kept only as its SHA-256 digest."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """`rsv_<prefix>_<secret>`, shown once when made; the prefix finds it, the digest of the
    whole text proves it. It expires (RESOLVE_API_TOKEN_DAYS) and may be revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
