"""What the retention job erased, case by case: the record that erasing happened."""

from __future__ import annotations

from typing import Any

from django.db import models


class CaseErasure(models.Model):
    """A closed case whose subject identifiers and free text were erased after the retention
    period. What remains of the case (dates, agencies, route, category, steps and their
    outcomes, learning themes) keeps the board's reports working."""

    case = models.OneToOneField("escalation.Case", on_delete=models.CASCADE, related_name="erasure")
    erased_at = models.DateTimeField()
    closed_at = models.DateTimeField()
    kept_days = models.PositiveIntegerField(help_text="The retention period it was kept for.")
    erased: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        default=dict, help_text="What was erased: field names and counts, never the values."
    )

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"{self.case.reference} erased {self.erased_at:%Y-%m-%d}"
