"""The outbox (every notification a change or a deadline causes) and the in-app inbox.

notifications/enums.py tells the lifecycle of an outbox row in words.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from notifications.enums import CHASERS, Event, OutboxStatus

__all__ = ["Notification", "OutboxMessage", "OutboxStatus"]


class OutboxMessage(models.Model):
    """One notification for one person. The key is unique, so writing the same notification
    twice (a job run twice, a retried request) adds nothing.

    Keys: a transition's `<event>:case<id>:v<case version>:user<id>`; the sweep's
    `<event>:step<id>:<working day>:user<id>`. A row carries the case reference and step
    number, never what the disagreement is about.
    """

    key = models.CharField(max_length=200, unique=True)
    event = models.CharField(max_length=50, choices=Event.choices)
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
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A reminder or alert not delivered by then is cancelled (close of business "
        "on the working day it was written for).",
    )
    queued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a delivery task was last due to run; the rescue job queues the row "
        "again when nothing has delivered it a while after that.",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["status", "not_before"]),
            # The rescue job's query: the few rows still pending.
            models.Index(
                fields=["created_at"],
                name="outbox_pending",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.recipient} ({self.status})"

    @property
    def is_chaser(self) -> bool:
        return self.event in CHASERS


class Notification(models.Model):
    """A notification in a person's inbox, made exactly once from one outbox row."""

    outbox = models.OneToOneField(
        OutboxMessage, on_delete=models.CASCADE, related_name="notification"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey("escalation.Case", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=50, choices=Event.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            # The unread count in every page's header.
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.recipient})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
