"""Celery tasks: thin callers of the services, each named explicitly.

What runs when, and what happens when a worker dies: docs/jobs.md.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from notifications.services import (
    PermanentDeliveryError,
    TransientDeliveryError,
    outbox_deliver,
    outbox_record_failure,
    outbox_rescue,
)
from notifications.sweep import deadline_sweep


@shared_task(bind=True, name="notifications.deliver", acks_late=True, max_retries=None)
def deliver(self: Any, *, outbox_id: int) -> str:
    """Deliver one outbox row. A failed e-mail is retried with growing waits up to
    RESOLVE_DELIVERY_MAX_ATTEMPTS attempts (counted on the row), then recorded as FAILED."""
    try:
        return outbox_deliver(outbox_id=outbox_id)
    except PermanentDeliveryError as exc:
        outbox_record_failure(outbox_id=outbox_id, error=str(exc), permanent=True)
        return "failed"
    except Exception as exc:  # transient, or unforeseen: counted on the row, so never forever
        error = (
            str(exc) if isinstance(exc, TransientDeliveryError) else f"{type(exc).__name__}: {exc}"
        )
        delay = outbox_record_failure(outbox_id=outbox_id, error=error, permanent=False)
        if delay is None:
            return "failed"
        raise self.retry(countdown=delay, exc=exc) from exc


@shared_task(name="notifications.sweep", acks_late=True)
def sweep() -> int:
    """Write the reminders and overdue alerts due now (beat: every RESOLVE_SWEEP_MINUTES)."""
    return deadline_sweep().written


@shared_task(name="notifications.rescue", acks_late=True)
def rescue() -> int:
    """Queue again pending rows nothing has handled (beat: every minute)."""
    return len(outbox_rescue())
