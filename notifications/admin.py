"""The outbox for administrators: what was sent, what is waiting, and what failed for good.

Outbox rows carry the case reference and step number, never case content, so listing them
is configuration work, not reading cases. A failed row can be tried again once what made it
fail (an address, the mail server) is fixed.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from notifications.enums import OutboxStatus
from notifications.models import OutboxMessage
from notifications.services import outbox_try_again


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "key",
        "event",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "failed_at",
        "last_error",
    )
    list_filter = ("status", "event")
    search_fields = ("key", "recipient__username")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    list_select_related = ("recipient",)
    exclude = ("case", "step", "payload")
    actions = ["try_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Try the selected failed notifications again")
    def try_again(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox_try_again(
            ids=queryset.filter(status=OutboxStatus.FAILED).values_list("pk", flat=True)
        )
        self.message_user(
            request, f"{count} failed notification(s) will be tried again.", messages.SUCCESS
        )
