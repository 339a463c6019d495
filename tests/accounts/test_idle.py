"""An idle session signs out after RESOLVE_IDLE_MINUTES, with a warning first."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory())
    assert client.get(reverse("escalation:home")).status_code == 200
    return client


def test_a_signed_in_page_carries_the_warning_with_the_idle_time(signed_in):
    page = signed_in.get(reverse("escalation:home")).content.decode()
    banner = re.search(r'<div[^>]*id="idle-warning"[^>]*>', page)
    assert banner is not None
    assert 'data-idle-seconds="1800"' in banner.group(0)
    assert " hidden" in banner.group(0)  # shown by static/js/idle-warning.mjs, not before
    assert "Stay signed in" in page
    assert "js/idle-warning.mjs" in page


def test_the_sign_in_page_has_no_warning(client):
    page = client.get(reverse("login")).content.decode()
    assert 'id="idle-warning"' not in page


def test_thirty_one_idle_minutes_sign_out_with_a_message(signed_in):
    later = timezone.now() + timedelta(minutes=31)
    with time_machine.travel(later, tick=False):
        response = signed_in.get(reverse("escalation:home"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert SESSION_KEY not in signed_in.session
        page = signed_in.get(response.url).content.decode()
    assert "You were signed out because nothing happened for 30 minutes" in page


def test_activity_keeps_the_session(signed_in):
    now = timezone.now()
    for minutes in (20, 40, 60):  # never more than 20 minutes apart
        with time_machine.travel(now + timedelta(minutes=minutes), tick=False):
            assert signed_in.get(reverse("escalation:home")).status_code == 200
    assert SESSION_KEY in signed_in.session


def test_stay_signed_in_counts_as_activity(signed_in):
    now = timezone.now()
    with time_machine.travel(now + timedelta(minutes=29), tick=False):
        response = signed_in.post(reverse("accounts:keep_alive"))
        assert response.status_code == 200
        assert response.json() == {"idle_seconds": 1800}
    with time_machine.travel(now + timedelta(minutes=50), tick=False):
        assert signed_in.get(reverse("escalation:home")).status_code == 200


def test_keep_alive_refuses_get_and_strangers(client, signed_in):
    assert signed_in.get(reverse("accounts:keep_alive")).status_code == 405
    client.logout()
    response = client.post(reverse("accounts:keep_alive"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_idle_minutes_are_a_setting(signed_in, settings):
    settings.RESOLVE_IDLE_MINUTES = 5
    page = signed_in.get(reverse("escalation:home")).content.decode()
    assert 'data-idle-seconds="300"' in page
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        response = signed_in.get(reverse("escalation:home"))
    assert response.status_code == 302
    assert SESSION_KEY not in signed_in.session


def test_a_busy_sign_in_still_ends_after_its_hours(client, settings):
    settings.SESSION_COOKIE_AGE = 2 * 60 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(UserFactory())
    for minutes in range(20, 120, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("escalation:home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=121), tick=False):
        response = client.get(reverse("escalation:home"))
        assert response.status_code == 302
        page = client.get(response.url).content.decode()
    assert "You were signed out because a sign-in lasts 2 hours" in page
