"""The outbox: every notification a change causes, written in the change's transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


class OutboxMessage(models.Model):
    """One notification for one person. The key is unique, so writing the same notification
    twice (a job run twice, a retried request) adds nothing."""

    key = models.CharField(max_length=200, unique=True)
    event = models.CharField(max_length=50)
    case = models.ForeignKey("escalation.Case", on_delete=models.CASCADE, related_name="outbox")
    step = models.ForeignKey(
        "escalation.CaseStep",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox"
    )
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    not_before = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "not_before"])]

    def __str__(self) -> str:
        return f"{self.event} to {self.recipient} ({self.status})"
