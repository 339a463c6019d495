"""Real Redis and a real Celery worker, started as separate processes by the tests.

The worker reads the test database (the data is committed: transactional tests) and writes
e-mails with the keyed file backend into a folder of the test's own, where they are counted.
"""

from __future__ import annotations

import email
import time
from collections.abc import Iterator

import pytest
from django.urls import reverse

from agencies.enums import Role
from escalation.domain import case_escalate
from notifications.content import KEY_HEADER
from notifications.enums import Event, OutboxStatus
from notifications.models import Notification, OutboxMessage
from notifications.services import outbox_queue, outbox_rescue
from tests.notifications.conftest import broker, mail_files, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]


@pytest.fixture
def shared_redis(redis_db: int) -> Iterator[str]:
    """This process publishes to the shared Redis, on this test run's own database number."""
    url = f"redis://127.0.0.1:6379/{redis_db}"
    with broker(url):
        yield url


def statuses(ids) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in OutboxMessage.objects.filter(pk__in=ids).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def keys_in_mail(folder) -> list[str]:
    return [email.message_from_bytes(path.read_bytes())[KEY_HEADER] for path in mail_files(folder)]


def test_a_worker_delivers_what_a_transition_wrote(england, shared_redis, start_worker, mail_dir):
    start_worker(broker_url=shared_redis, mail_dir=mail_dir)
    case = england.raise_case()  # commits; its rows are queued to Redis after the commit
    case = case_escalate(case=case, by=case.raised_by, reason="No", expected_version=1)
    ids = list(OutboxMessage.objects.filter(case=case).values_list("pk", flat=True))
    assert len(ids) == 6  # raised: 2 people; escalated: 4

    wait_for(lambda: statuses(ids) == {OutboxStatus.SENT: 6}, timeout=60)
    assert sorted(keys_in_mail(mail_dir)) == sorted(
        OutboxMessage.objects.filter(pk__in=ids).values_list("key", flat=True)
    )
    assert Notification.objects.filter(outbox_id__in=ids).count() == 6


def test_a_worker_killed_mid_delivery_delivers_every_notification_exactly_once(
    england, shared_redis, start_worker, mail_dir, settings
):
    settings.RESOLVE_OUTBOX_STALE_SECONDS = 5
    case = england.raise_case()
    responder = england.person("responding", Role.PRACTITIONER)
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            key=f"load-test:{case.pk}:{n:04d}",
            event=Event.CASE_RAISED,
            case=case,
            step=case.current_step,
            recipient=responder,
        )
        for n in range(1000)
    )
    ids = [row.pk for row in rows]
    assert len(outbox_queue(ids)) == 1000

    first = start_worker(broker_url=shared_redis, mail_dir=mail_dir, concurrency=2)
    wait_for(
        lambda: OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.SENT).count() >= 150,
        timeout=120,
        every=0.02,
    )
    first.kill()  # SIGKILL to the worker and its pool processes at once
    sent_when_killed = statuses(ids).get(OutboxStatus.SENT, 0)
    assert 0 < sent_when_killed < 1000, "the worker must be killed in the middle"

    start_worker(broker_url=shared_redis, mail_dir=mail_dir, concurrency=2)

    progress = {"sent": -1}

    def all_sent() -> bool:
        sent = statuses(ids).get(OutboxStatus.SENT, 0)
        if sent == progress["sent"]:
            # The queue has drained: what is left was held by the killed worker (still
            # unacknowledged in Redis). Beat's rescue job queues it again.
            outbox_rescue()
        progress["sent"] = sent
        return sent == 1000

    wait_for(all_sent, timeout=400, every=3)

    keys = [key for key in keys_in_mail(mail_dir) if key.startswith("load-test:")]
    assert len(keys) == len(set(keys)) == 1000  # each e-mail once, none lost
    assert set(keys) == {row.key for row in rows}
    assert Notification.objects.filter(outbox_id__in=ids).count() == 1000
    assert set(OutboxMessage.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {1}


def test_with_redis_down_the_web_works_and_the_outbox_keeps_every_row(
    england, own_redis, start_worker, mail_dir, client, settings
):
    settings.RESOLVE_OUTBOX_STALE_SECONDS = 1
    with broker(own_redis.url):  # this test's own Redis, not started yet: down
        started = time.monotonic()
        case = england.raise_case()
        case = case_escalate(case=case, by=case.raised_by, reason="No", expected_version=1)
        assert time.monotonic() - started < 15  # no hanging on the broker

        responder = england.person("responding", Role.PRACTITIONER)
        client.force_login(responder)
        for page in (reverse("escalation:home"), reverse("notifications:inbox")):
            assert client.get(page).status_code == 200
        ids = list(OutboxMessage.objects.filter(case=case).values_list("pk", flat=True))
        assert len(ids) == 6
        assert statuses(ids) == {OutboxStatus.PENDING: 6}
        assert outbox_rescue() == []  # still down: the rows stay, pending

        own_redis.start()  # Redis is back
        start_worker(broker_url=own_redis.url, mail_dir=mail_dir)

        def all_sent() -> bool:
            outbox_rescue()  # beat's rescue job, every minute in production
            return statuses(ids) == {OutboxStatus.SENT: 6}

        wait_for(all_sent, timeout=120, every=2)
    assert len(mail_files(mail_dir)) == 6
    assert Notification.objects.filter(recipient=responder).count() == 2
    client.force_login(responder)
    assert client.get(reverse("notifications:inbox")).context["inbox_unread_count"] == 2
