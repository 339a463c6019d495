"""The outbox: writing notifications, cancelling them, handing them to the workers,
delivering them (in-app and e-mail, exactly once), and the inbox's read marks.

A transition calls `outbox_add` inside its own transaction; the deadline sweep
(notifications/sweep.py) writes its reminders and alerts the same way. Once the transaction
commits, the new rows' ids go to the Celery workers; a row the broker never received (it
was down) or a worker never finished (it died) is queued again by the rescue job.
docs/jobs.md tells the whole story.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import smtplib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from escalation.enums import CaseStatus
from notifications.content import Content, build_email, describe
from notifications.enums import CHASERS, Event, OutboxStatus
from notifications.models import Notification, OutboxMessage
from notifications.selectors import outbox_stale_ids

if TYPE_CHECKING:
    from escalation.models import Case, CaseStep

logger = logging.getLogger(__name__)


class TransientDeliveryError(Exception):
    """The e-mail could not be sent now but may be later (connection, 4xx reply)."""


class PermanentDeliveryError(Exception):
    """The e-mail will never be accepted as it is (5xx reply: unknown address, refused)."""


# --- writing -------------------------------------------------------------------------------


def outbox_add(
    *,
    event: Event,
    case: Case,
    recipients: Iterable[Any],
    step: CaseStep | None = None,
    payload: dict[str, Any] | None = None,
) -> list[OutboxMessage]:
    """Write one outbox row per recipient, in the caller's transaction.

    Side effects: inserts OutboxMessage rows. The key (event, case, its version, recipient)
    is unique, so writing the same notification twice adds nothing. After the caller's
    transaction commits, the new rows are queued for delivery (nothing is queued for a
    change that rolls back).
    """
    written = []
    created_ids: list[int] = []
    seen: set[int] = set()
    for person in recipients:
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        key = f"{event}:case{case.pk}:v{case.version}:user{person.pk}"
        message, created = OutboxMessage.objects.get_or_create(
            key=key,
            defaults={
                "event": event,
                "case": case,
                "step": step,
                "recipient": person,
                "payload": {
                    "reference": case.reference,
                    **({"step": step.number} if step is not None else {}),
                    **(payload or {}),
                },
            },
        )
        written.append(message)
        if created:
            created_ids.append(message.pk)
    outbox_queue_on_commit(created_ids)
    return written


def outbox_cancel_for_step(*, step: CaseStep, reason: str = "step completed") -> int:
    """Cancel the reminders and alerts of a step that have not been delivered yet.

    Called by the transitions when a step completes (escalated, skipped, resolved,
    withdrawn, met), in their transaction. A delivery under way holds its row's lock, so
    this waits for it and then leaves the sent row alone. Returns how many were cancelled.
    """
    return OutboxMessage.objects.filter(
        step_id=step.pk, status=OutboxStatus.PENDING, event__in=CHASERS
    ).update(status=OutboxStatus.CANCELLED, cancelled_at=timezone.now(), cancel_reason=reason)


# --- handing rows to the workers ------------------------------------------------------------


def outbox_queue(ids: Sequence[int]) -> list[int]:
    """Send a delivery task for each row to the broker; returns the ids it could send.

    Never raises: when the broker cannot be reached the rows stay pending (and unmarked),
    and the rescue job queues them once it is back. The page or job that called this goes
    on working either way.
    """
    if not ids:
        return []
    from config.celery import app
    from notifications.tasks import deliver

    # Marked before publishing: once published, a worker may hold the row's lock, and a page
    # must not wait for it. Rows that could not be published are unmarked below.
    now = timezone.now()
    OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.PENDING).update(queued_at=now)
    sent: list[int] = []
    try:
        if app.conf.task_always_eager:
            for outbox_id in ids:
                deliver.apply_async(kwargs={"outbox_id": outbox_id})
                sent.append(outbox_id)
        else:
            with app.connection_for_write() as connection:
                # One quick try: a web request must not hang while the broker is down.
                connection.ensure_connection(max_retries=0)
                producer = app.amqp.Producer(connection)
                for outbox_id in ids:
                    deliver.apply_async(
                        kwargs={"outbox_id": outbox_id}, producer=producer, retry=False
                    )
                    sent.append(outbox_id)
    except Exception as exc:  # the broker is down or refused: the rescue job will resend
        logger.warning(
            "outbox: could not queue %d of %d rows (%s); the rescue job will",
            len(ids) - len(sent),
            len(ids),
            exc,
        )
        unsent = set(ids) - set(sent)
        OutboxMessage.objects.filter(
            pk__in=unsent, status=OutboxStatus.PENDING, queued_at=now
        ).update(queued_at=None)
    return sent


def outbox_queue_on_commit(ids: Sequence[int]) -> None:
    """Queue the rows once the current transaction commits (at once outside one)."""
    if ids:
        transaction.on_commit(functools.partial(outbox_queue, list(ids)), robust=True)


def outbox_rescue(*, now: dt.datetime | None = None, limit: int = 5000) -> list[int]:
    """Queue again the pending rows nothing has handled for a while: those the broker never
    received (it was down) and those a dead worker held. Run by beat every minute.

    A row handled twice is harmless: delivery locks the row and skips it once sent.
    """
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.RESOLVE_OUTBOX_STALE_SECONDS)
    ids = outbox_stale_ids(now=now, stale_before=stale_before, limit=limit)
    return outbox_queue(ids)


# --- delivering --------------------------------------------------------------------------


def _why_not_deliver(row: OutboxMessage, now: dt.datetime) -> str:
    """A reason to cancel the row instead of delivering it, or ""."""
    if row.expires_at is not None and now >= row.expires_at:
        return "not delivered within its working day"
    if row.event in CHASERS:
        if row.step is None or row.step.completed_at is not None:
            return "step completed"
        if row.case.status != CaseStatus.OPEN:
            return "case closed"
    if not row.recipient.is_active:
        return "recipient no longer active"
    return ""


def _in_app(row: OutboxMessage, now: dt.datetime, content: Content | None = None) -> None:
    """The row's in-app notification; one at most per row (the one-to-one key), so a
    repeat after a failure made it already changes nothing."""
    content = content or describe(row)
    Notification.objects.bulk_create(
        [
            Notification(
                outbox=row,
                recipient_id=row.recipient_id,
                case_id=row.case_id,
                event=row.event,
                title=content.title,
                body=content.summary,
                url=content.path,
                created_at=now,
            )
        ],
        ignore_conflicts=True,
    )


def _is_transient(exc: Exception) -> bool:
    """SMTP 4xx replies and lost connections may pass; 5xx replies will not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return not 500 <= exc.smtp_code < 600
    return isinstance(exc, smtplib.SMTPException | OSError)


def outbox_deliver(*, outbox_id: int, now: dt.datetime | None = None) -> str:
    """Deliver one outbox row: its in-app notification and its e-mail, exactly once.

    Side effects, in one transaction: locks the row (skipping it when another worker holds
    it); cancels it instead when it is a reminder or alert whose step has completed, or
    that missed its working day; makes the in-app notification; sends the e-mail (when the
    person has an address); marks the row sent. An e-mail that fails rolls all of it back
    and raises TransientDeliveryError or PermanentDeliveryError; the task decides what next.

    Returns what happened: "sent", "cancelled", "waiting" (not before a later moment),
    "busy" (another worker has it), "done already" or "gone".
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case", "step", "recipient")
            .filter(pk=outbox_id)
            .first()
        )
        if row is None:
            return "busy" if OutboxMessage.objects.filter(pk=outbox_id).exists() else "gone"
        if row.status != OutboxStatus.PENDING:
            return "done already"
        if row.not_before is not None and row.not_before > now:
            return "waiting"
        reason = _why_not_deliver(row, now)
        if reason:
            row.status = OutboxStatus.CANCELLED
            row.cancelled_at = now
            row.cancel_reason = reason
            row.save(update_fields=["status", "cancelled_at", "cancel_reason"])
            return "cancelled"
        content = describe(row)
        _in_app(row, now, content)
        if row.recipient.email:
            # Sent while the row is locked and before it is marked: a worker that dies in
            # between leaves the row pending, and the repeat sends the same message (same
            # outbox key, same Message-ID). docs/jobs.md: "When a worker dies".
            try:
                build_email(row, content).send()
            except Exception as exc:
                if _is_transient(exc):
                    raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc
                raise PermanentDeliveryError(f"{type(exc).__name__}: {exc}") from exc
        row.status = OutboxStatus.SENT
        row.sent_at = now
        row.attempts += 1
        row.save(update_fields=["status", "sent_at", "attempts"])
    return "sent"


def outbox_retry_delay(attempts: int) -> int:
    """Seconds before attempt number attempts + 1: doubling from the base, capped."""
    base = settings.RESOLVE_DELIVERY_BACKOFF_SECONDS
    return int(min(base * 2 ** max(attempts - 1, 0), settings.RESOLVE_DELIVERY_BACKOFF_MAX_SECONDS))


def outbox_record_failure(
    *, outbox_id: int, error: str, permanent: bool, now: dt.datetime | None = None
) -> int | None:
    """Record a failed delivery attempt. Returns the seconds to wait before the next
    attempt, or None when there is none: the error was permanent or that was the last
    attempt (settings.RESOLVE_DELIVERY_MAX_ATTEMPTS), and the row is now FAILED.

    Side effects: the row's attempts and last error; when final, its status FAILED with the
    moment, and its in-app notification made all the same (the e-mail is what failed).
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            OutboxMessage.objects.select_for_update(of=("self",))
            .select_related("case", "step", "recipient")
            .filter(pk=outbox_id)
            .first()
        )
        if row is None or row.status != OutboxStatus.PENDING:
            return None
        row.attempts += 1
        row.last_error = error[:2000]
        if permanent or row.attempts >= settings.RESOLVE_DELIVERY_MAX_ATTEMPTS:
            row.status = OutboxStatus.FAILED
            row.failed_at = now
            row.save(update_fields=["attempts", "last_error", "status", "failed_at"])
            try:
                with transaction.atomic():
                    _in_app(row, now)
            except Exception:
                logger.exception("outbox %s: the in-app notification could not be made", row.pk)
            logger.error(
                "outbox %s (%s) failed after %d attempts: %s",
                row.pk,
                row.key,
                row.attempts,
                row.last_error,
            )
            return None
        delay = outbox_retry_delay(row.attempts)
        row.queued_at = now + dt.timedelta(seconds=delay)
        row.save(update_fields=["attempts", "last_error", "queued_at"])
        return delay


def outbox_try_again(*, ids: Iterable[int]) -> int:
    """Put failed rows back to pending with no attempts, for an administrator who has
    fixed what made them fail; they are queued after commit. Returns how many."""
    with transaction.atomic():
        chosen = list(
            OutboxMessage.objects.filter(pk__in=list(ids), status=OutboxStatus.FAILED)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        OutboxMessage.objects.filter(pk__in=chosen).update(
            status=OutboxStatus.PENDING, attempts=0, failed_at=None, queued_at=None
        )
        outbox_queue_on_commit(chosen)
    return len(chosen)


# --- the inbox -----------------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, user: Any) -> Notification:
    """Mark one of the person's notifications as read (reading it twice changes nothing)."""
    if notification.recipient_id != user.pk:
        raise Notification.DoesNotExist("Not this person's notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    """Mark all the person's unread notifications as read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
