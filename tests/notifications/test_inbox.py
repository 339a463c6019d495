"""The inbox page, the unread count in the header, marking as read; the outbox admin."""

from __future__ import annotations

import smtplib

import pytest
from django.urls import reverse

from agencies.enums import Role
from notifications.enums import OutboxStatus
from notifications.models import Notification, OutboxMessage
from notifications.services import outbox_record_failure
from tests.notifications.conftest import deliver_pending

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(england):
    """Two cases raised and their notifications delivered: two for each practitioner."""
    cases = [england.raise_case(), england.raise_case()]
    deliver_pending()
    return cases


def test_the_inbox_needs_sign_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_inbox_lists_the_persons_notifications_newest_first(client, england, delivered):
    responder = england.person("responding", Role.PRACTITIONER)
    client.force_login(responder)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    page = response.content.decode()
    first, second = (f"New case {case.reference}" for case in delivered)
    assert page.index(second) < page.index(first)
    assert 'class="govuk-table"' in page
    assert page.count("govuk-tag--blue") == 2  # both unread
    assert response.context["inbox_unread_count"] == 2
    for case in delivered:
        assert case.disagreement not in page
        assert f'href="/cases/{case.reference}/"' in page


def test_the_inbox_shows_nobody_elses(client, england, delivered):
    outsider = england.person("unrelated", Role.SAFEGUARDING_LEAD)
    client.force_login(outsider)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert delivered[0].reference not in response.content.decode()
    assert response.context["inbox_unread_count"] == 0
    someone_elses = Notification.objects.first()
    refused = client.post(reverse("notifications:mark_read", args=[someone_elses.pk]))
    assert refused.status_code == 404
    assert Notification.objects.get(pk=someone_elses.pk).read_at is None


def test_the_unread_count_is_in_every_pages_header(client, england, delivered):
    client.force_login(england.person("responding", Role.PRACTITIONER))
    response = client.get(reverse("escalation:home"))
    assert response.status_code == 200
    assert response.context["inbox_unread_count"] == 2
    assert reverse("notifications:inbox") in response.content.decode()


def test_marking_one_as_read(client, england, delivered):
    responder = england.person("responding", Role.PRACTITIONER)
    client.force_login(responder)
    note = Notification.objects.filter(recipient=responder).first()
    response = client.post(reverse("notifications:mark_read", args=[note.pk]))
    assert response.status_code == 302
    assert response.url == reverse("notifications:inbox")
    note.refresh_from_db()
    assert note.read_at is not None
    again = client.get(reverse("notifications:inbox"))
    assert again.context["inbox_unread_count"] == 1
    assert again.content.decode().count("govuk-tag--grey") == 1


def test_marking_all_as_read(client, england, delivered):
    responder = england.person("responding", Role.PRACTITIONER)
    client.force_login(responder)
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert response.status_code == 200
    assert "2 notifications marked as read" in response.content.decode()
    assert not Notification.objects.filter(recipient=responder, read_at__isnull=True).exists()
    # Others' notifications are untouched.
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


def test_marking_refuses_get_and_foreign_redirects(client, england, delivered):
    responder = england.person("responding", Role.PRACTITIONER)
    client.force_login(responder)
    note = Notification.objects.filter(recipient=responder).first()
    assert client.get(reverse("notifications:mark_read", args=[note.pk])).status_code == 405
    response = client.post(
        reverse("notifications:mark_read", args=[note.pk]), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("notifications:inbox")


def test_an_empty_inbox_says_so(client, england):
    client.force_login(england.person("unrelated", Role.PRACTITIONER))
    response = client.get(reverse("notifications:inbox"))
    assert "You have no notifications" in response.content.decode()


# --- the admin ---------------------------------------------------------------------------------


def test_administrators_see_the_outbox_and_its_final_failures(admin_client, england):
    case = england.raise_case()
    row = OutboxMessage.objects.filter(case=case).first()
    outbox_record_failure(
        outbox_id=row.pk, error=str(smtplib.SMTPServerDisconnected("gone")), permanent=True
    )
    response = admin_client.get("/admin/notifications/outboxmessage/?status__exact=failed")
    assert response.status_code == 200
    page = response.content.decode()
    assert row.key in page
    assert "gone" in page
    assert case.disagreement not in page
    detail = admin_client.get(f"/admin/notifications/outboxmessage/{row.pk}/change/")
    assert detail.status_code == 200
    assert case.disagreement not in detail.content.decode()


def test_administrators_can_try_a_failed_row_again(admin_client, england):
    case = england.raise_case()
    row = OutboxMessage.objects.filter(case=case).first()
    outbox_record_failure(outbox_id=row.pk, error="refused", permanent=True)
    response = admin_client.post(
        "/admin/notifications/outboxmessage/",
        {"action": "try_again", "_selected_action": [row.pk]},
        follow=True,
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
