"""The reports' settings, each read from Django settings or else from the environment."""

from __future__ import annotations

import os

from django.conf import settings


def _int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or default
    return int(value)


def export_async_threshold() -> int:
    """Exports of more cases than this run as a Celery job (REPORTS_EXPORT_ASYNC_THRESHOLD)."""
    return _int("REPORTS_EXPORT_ASYNC_THRESHOLD", 3000)


def export_keep_hours() -> int:
    """How long a finished export file is kept before reports.purge_exports deletes it
    (REPORTS_EXPORT_KEEP_HOURS)."""
    return _int("REPORTS_EXPORT_KEEP_HOURS", 24)


# Counts from 1 to SMALL_COUNT - 1 are shown as "fewer than 5" in exports.
SMALL_COUNT = 5

# The words of an export's hidden cells: what was withheld and why (reports.report).
FEWER_THAN_5 = "fewer than 5"  # a count from 1 to 4: the count's own band, not withheld
BY_SUBTRACTION = "withheld: it would give away a count under 5 by subtraction"
GIVES_COUNT_AWAY = "withheld: it would give away a count under 5"


def fewer_than_5(what: str) -> str:
    """A rate or working-day figure resting on so few that it would describe them."""
    return f"withheld: fewer than 5 {what}"
