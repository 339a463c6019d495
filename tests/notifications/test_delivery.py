"""Delivering outbox rows: in-app and e-mail exactly once, retries, final failures."""

from __future__ import annotations

import datetime as dt
import email
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from escalation.models import CaseStep
from notifications.content import KEY_HEADER, build_email, describe, message_id
from notifications.enums import Event, OutboxStatus
from notifications.models import Notification, OutboxMessage
from notifications.selectors import outbox_stale_ids
from notifications.services import (
    outbox_deliver,
    outbox_queue,
    outbox_record_failure,
    outbox_rescue,
    outbox_try_again,
)
from notifications.sweep import deadline_sweep
from notifications.tasks import deliver
from tests.notifications.conftest import broker, mail_files
from tests.notifications.smtp import SmtpServer, free_port

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MON_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpServer]:
    """A real SMTP server (tests/notifications/smtp.py), reached through Django's SMTP
    backend as in production."""
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.RESOLVE_DELIVERY_MAX_ATTEMPTS = 3
    yield server
    server.stop()


@pytest.fixture
def raised(england):
    with time_machine.travel(MON_NOON, tick=False):
        return england.raise_case(
            challenging_record_number="HLT98765", responding_record_number="CSC12345"
        )


def first_row(case) -> OutboxMessage:
    return OutboxMessage.objects.filter(case=case).order_by("pk")[0]


def test_a_row_is_delivered_once_in_app_and_by_email(raised):
    rows = list(OutboxMessage.objects.filter(case=raised))
    assert len(rows) == 2  # the responding practitioner and the raiser (both act at step 1)
    assert [outbox_deliver(outbox_id=r.pk) for r in rows] == ["sent", "sent"]
    assert [outbox_deliver(outbox_id=r.pk) for r in rows] == ["done already"] * 2
    assert Notification.objects.filter(case=raised).count() == 2
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {r.recipient.email for r in rows}
    for row in OutboxMessage.objects.filter(case=raised):
        assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)
        assert row.notification.recipient_id == row.recipient_id


def test_the_email_says_where_and_when_and_nothing_of_the_case(raised, settings):
    settings.RESOLVE_BASE_URL = "https://resolve.example.gov.uk"
    row = first_row(raised)
    outbox_deliver(outbox_id=row.pk)
    message = mail.outbox[0]
    html = str(message.alternatives[0][0])
    assert message.alternatives[0][1] == "text/html"
    assert message.subject == f"New case {raised.reference}"
    link = f"https://resolve.example.gov.uk/cases/{raised.reference}/"
    for body in (message.body, html):
        assert raised.reference in body
        assert raised.current_step.name in body
        assert "17:00 Mon 30 Nov 2026" in body
        assert link in body
        for secret in (
            raised.disagreement,
            raised.impact,
            raised.subject_initials,
            "HLT98765",
            "CSC12345",
            raised.responding_professional,
        ):
            assert secret not in body
    assert message.extra_headers[KEY_HEADER] == row.key
    assert message.extra_headers["Message-ID"] == message_id(row.key)
    note = Notification.objects.get(outbox=row)
    assert note.url == f"/cases/{raised.reference}/"
    assert raised.disagreement not in note.title + note.body


def test_a_transient_failure_is_retried_with_growing_waits_then_fails_for_good(raised, settings):
    settings.RESOLVE_DELIVERY_MAX_ATTEMPTS = 4
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_TIMEOUT = 5
    row = first_row(raised)
    waits = []
    for _ in range(4):
        with pytest.raises(Exception) as failed:
            outbox_deliver(outbox_id=row.pk)
        assert type(failed.value).__name__ == "TransientDeliveryError"
        # Nothing half-done: no in-app notification while the e-mail has not gone.
        assert not Notification.objects.filter(outbox=row).exists()
        waits.append(
            outbox_record_failure(outbox_id=row.pk, error=str(failed.value), permanent=False)
        )
    assert waits == [30, 60, 120, None]
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == 4
    assert row.failed_at is not None
    assert "ConnectionRefusedError" in row.last_error
    # The person still finds it in their inbox; only the e-mail failed.
    assert Notification.objects.filter(outbox=row).count() == 1
    # A failed row is never delivered again by itself.
    assert outbox_deliver(outbox_id=row.pk) == "done already"
    tomorrow = MON_NOON + dt.timedelta(days=1)
    assert row.pk not in outbox_stale_ids(now=tomorrow, stale_before=tomorrow, limit=10)


def test_the_task_retries_then_records_the_final_failure(raised, smtp_server):
    row = first_row(raised)
    smtp_server.answer("DATA", "421 4.3.2 Service busy, try later", times=5)
    # Eagerly applied, Celery runs each retry at once (in a worker it waits the backoff).
    result = deliver.apply(kwargs={"outbox_id": row.pk})
    assert result.get() == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert "421" in row.last_error
    assert smtp_server.replies_left == 2  # three attempts, then no more
    assert smtp_server.received == []


def test_the_task_delivers_after_a_transient_failure(raised, smtp_server):
    row = first_row(raised)
    smtp_server.answer("DATA", "451 4.3.0 Try again later")
    assert deliver.apply(kwargs={"outbox_id": row.pk}).get() == "sent"
    row.refresh_from_db()
    # One failed attempt and the one that worked; the error stays on record.
    assert (row.status, row.attempts, row.last_error) == (
        OutboxStatus.SENT,
        2,
        "SMTPDataError: (451, b'4.3.0 Try again later')",
    )
    assert len(smtp_server.received) == 1
    assert smtp_server.received[0]["Subject"] == f"New case {raised.reference}"
    assert Notification.objects.filter(outbox=row).count() == 1


@pytest.mark.parametrize(
    ("stage", "reply", "error"),
    [
        ("RCPT", "550 5.1.1 No such user here", "SMTPRecipientsRefused"),
        ("MAIL", "553 5.7.1 Sender not allowed", "SMTPSenderRefused"),
    ],
)
def test_a_permanent_failure_fails_at_once(raised, smtp_server, stage, reply, error):
    row = first_row(raised)
    smtp_server.answer(stage, reply)
    assert deliver.apply(kwargs={"outbox_id": row.pk}).get() == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    assert row.last_error.startswith(error)
    assert smtp_server.received == []


def test_an_administrator_can_try_a_failed_row_again(raised, smtp_server):
    row = first_row(raised)
    smtp_server.answer("RCPT", "550 5.1.1 No such user here")
    deliver.apply(kwargs={"outbox_id": row.pk})
    assert outbox_try_again(ids=[row.pk]) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    assert outbox_deliver(outbox_id=row.pk) == "sent"
    assert Notification.objects.filter(outbox=row).count() == 1
    assert [m["To"] for m in smtp_server.received] == [row.recipient.email]


# --- cancelled instead of delivered ------------------------------------------------------------


def test_a_reminder_for_a_step_completed_meanwhile_is_cancelled(england):
    with time_machine.travel(MON_NOON, tick=False):
        case = england.raise_case()
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, 0, tzinfo=LONDON), tick=False):
        deadline_sweep()
        reminder = OutboxMessage.objects.filter(event=Event.STEP_DUE_SOON).first()
        # As if the step completed between the sweep's read and its insert.
        CaseStep.objects.filter(pk=reminder.step_id).update(completed_at=MON_NOON)
        assert outbox_deliver(outbox_id=reminder.pk) == "cancelled"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.cancel_reason) == (OutboxStatus.CANCELLED, "step completed")
    assert not Notification.objects.filter(outbox=reminder).exists()
    assert case.reference  # the case itself is untouched


def test_a_reminder_that_missed_its_working_day_is_not_sent_at_night(england):
    with time_machine.travel(MON_NOON, tick=False):
        england.raise_case()
    with time_machine.travel(dt.datetime(2026, 11, 27, 16, 55, tzinfo=LONDON), tick=False):
        deadline_sweep()
    reminder = OutboxMessage.objects.filter(event=Event.STEP_DUE_SOON).first()
    assert reminder.expires_at == dt.datetime(2026, 11, 27, 17, 0, tzinfo=LONDON)
    # The broker was down until 19:00: the reminder must not go out in the evening.
    with time_machine.travel(dt.datetime(2026, 11, 27, 19, 0, tzinfo=LONDON), tick=False):
        assert outbox_deliver(outbox_id=reminder.pk) == "cancelled"
    reminder.refresh_from_db()
    assert reminder.cancel_reason == "not delivered within its working day"
    assert len(mail.outbox) == 0


def test_nothing_goes_to_a_person_no_longer_active(raised):
    row = first_row(raised)
    row.recipient.is_active = False
    row.recipient.save()
    assert outbox_deliver(outbox_id=row.pk) == "cancelled"
    assert len(mail.outbox) == 0


# --- the e-mail files ----------------------------------------------------------------------------


def test_the_file_backend_keeps_one_file_per_row_however_often_it_is_sent(
    raised, settings, tmp_path
):
    settings.EMAIL_BACKEND = "notifications.mail.KeyedFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    row = first_row(raised)
    for _ in range(3):  # as if a worker died after sending, twice, before recording it
        build_email(row, describe(row)).send()
    outbox_deliver(outbox_id=row.pk)
    files = mail_files(tmp_path)
    assert len(files) == 1
    parsed = email.message_from_bytes(files[0].read_bytes())
    assert parsed[KEY_HEADER] == row.key
    assert parsed["Message-ID"] == message_id(row.key)
    assert parsed["Subject"] == f"New case {raised.reference}"


# --- queueing -------------------------------------------------------------------------------------


def test_rows_are_queued_only_once_the_change_commits(england, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = england.raise_case()
    assert len(callbacks) == 1
    assert callbacks[0].args[0] == sorted(
        OutboxMessage.objects.filter(case=case).values_list("pk", flat=True)
    )
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        england.raise_case()
        raise RuntimeError("the change rolls back")
    assert callbacks == []
    assert OutboxMessage.objects.count() == 2


def test_queueing_with_the_broker_down_is_quick_and_keeps_the_rows(raised):
    ids = list(OutboxMessage.objects.filter(case=raised).values_list("pk", flat=True))
    with broker("redis://127.0.0.1:1/0"):  # nothing listens on port 1
        started = time.monotonic()
        assert outbox_queue(ids) == []
        assert time.monotonic() - started < 5
    rows = OutboxMessage.objects.filter(pk__in=ids)
    assert {(r.status, r.queued_at) for r in rows} == {(OutboxStatus.PENDING, None)}


def test_the_rescue_job_picks_rows_nothing_has_handled(raised, settings):
    settings.RESOLVE_OUTBOX_STALE_SECONDS = 60
    a, b = OutboxMessage.objects.filter(case=raised).order_by("pk")
    later = dt.datetime(2026, 11, 23, 12, 5, tzinfo=LONDON)
    OutboxMessage.objects.filter(pk=b.pk).update(queued_at=later - dt.timedelta(seconds=10))
    with time_machine.travel(later, tick=False):
        # a was written at noon and never queued: stranded. b was queued 10 seconds ago.
        assert outbox_stale_ids(
            now=later, stale_before=later - dt.timedelta(seconds=60), limit=100
        ) == [a.pk]
        with broker("redis://127.0.0.1:1/0"):
            assert outbox_rescue() == []  # the broker is still down: it stays pending
    # A row that may not go out before a later moment waits for it.
    OutboxMessage.objects.filter(pk=a.pk).update(not_before=later + dt.timedelta(hours=1))
    assert (
        outbox_stale_ids(now=later, stale_before=later - dt.timedelta(seconds=60), limit=100) == []
    )
