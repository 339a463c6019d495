from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import CaseErasure


@admin.register(CaseErasure)
class CaseErasureAdmin(admin.ModelAdmin):
    """What the retention job erased: to read, never to change."""

    list_display = ["case", "closed_at", "erased_at", "kept_days"]
    readonly_fields = ["case", "closed_at", "erased_at", "kept_days", "erased"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
