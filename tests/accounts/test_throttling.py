"""Sign-in throttling (django-axes): failures lock the username and the address for a while,
with a clear page; a success forgets them; administrators unlock."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.throttling import client_address
from tests.factories import UserFactory

PASSWORD = "resolve-test-pass"
pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(
    client: Client, username: str, times: int, address: str = "10.0.0.1", limit: int = 5
) -> None:
    """Wrong passwords: the ordinary error until the limit's failure, which locks at once."""
    for attempt in range(1, times + 1):
        response = sign_in(client, username, "wrong password", address)
        if attempt < limit:
            assert response.status_code == 200
            assert "Enter a correct username and password" in response.content.decode()
        else:
            assert response.status_code == 429


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_five_failures_lock_the_username_even_with_the_right_password(client):
    person = UserFactory()
    fail(client, person.username, 5)
    response = sign_in(client, person.username, PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429
    assert "Sign-in locked for now" in page
    assert "5 failed attempts" in page and "locked for 15 minutes" in page
    assert "ask your Resolve administrator" in page
    assert not signed_in(client)
    person.refresh_from_db()
    assert person.last_login is None


def test_the_username_stays_locked_from_another_address(client):
    person = UserFactory()
    fail(client, person.username, 5, address="10.0.0.1")
    response = sign_in(Client(), person.username, PASSWORD, address="10.9.9.9")
    assert response.status_code == 429


def test_failures_from_one_address_lock_that_address_for_everyone(client):
    people = [UserFactory() for _ in range(5)]
    for number, person in enumerate(people, start=1):
        response = sign_in(client, person.username, "wrong password", address="10.0.0.7")
        assert response.status_code == (429 if number == 5 else 200)
    someone_else = UserFactory()
    locked = Client()
    assert sign_in(locked, someone_else.username, PASSWORD, address="10.0.0.7").status_code == 429
    assert not signed_in(locked)
    elsewhere = Client()
    assert (
        sign_in(elsewhere, someone_else.username, PASSWORD, address="10.0.0.8").status_code == 302
    )
    assert signed_in(elsewhere)


def test_four_failures_then_a_success_forgets_the_failures(client):
    person = UserFactory()
    fail(client, person.username, 4)
    assert sign_in(client, person.username, PASSWORD).status_code == 302
    client.logout()
    fail(client, person.username, 4)
    assert sign_in(client, person.username, PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_lock_ends_after_its_minutes(client):
    person = UserFactory()
    fail(client, person.username, 5)
    with time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False):
        assert sign_in(Client(), person.username, PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        later = Client()
        assert sign_in(later, person.username, PASSWORD).status_code == 302
        assert signed_in(later)


def test_the_limit_and_the_minutes_are_settings(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=45)
    person = UserFactory()
    fail(client, person.username, 2, limit=2)
    response = sign_in(client, person.username, PASSWORD)
    assert response.status_code == 429
    assert "2 failed attempts" in response.content.decode()
    assert "locked for 45 minutes" in response.content.decode()


def test_an_administrator_unlocks_in_the_admin(client):
    person = UserFactory()
    fail(client, person.username, 5)
    attempts = AccessAttempt.objects.filter(username=person.username)
    assert attempts.count() == 1
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert str(person.username) in admin.get(changelist).content.decode()
    response = admin.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": [a.pk for a in attempts],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=person.username).exists()
    # The address's failures were the same rows: both are unlocked.
    assert sign_in(client, person.username, PASSWORD).status_code == 302
    assert signed_in(client)


def test_an_administrator_unlocks_with_a_command(client):
    person = UserFactory()
    fail(client, person.username, 5)
    call_command("axes_reset_username", person.username, verbosity=0)
    assert not AccessAttempt.objects.filter(username=person.username).exists()
    assert sign_in(client, person.username, PASSWORD).status_code == 302


def test_a_locked_out_page_is_never_a_server_error_for_junk(client):
    person = UserFactory()
    fail(client, person.username, 5)
    response = client.post(
        reverse("login"),
        {"username": str(person.username) + "\x00" * 3, "password": "x" * 10_000},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code in (200, 429)
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2", "10.0.0.2"),  # no proxy: the header is the client's own
        (1, "203.0.113.9", "10.0.0.2", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "10.0.0.2", "203.0.113.9"),  # a written-in address
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.3", "10.0.0.2", "203.0.113.9"),
        (1, "", "10.0.0.2", "10.0.0.2"),
    ],
)
def test_the_counted_address_believes_only_our_proxies(
    settings, proxies, forwarded, remote, expected
):
    settings.RESOLVE_PROXY_COUNT = proxies
    request = RequestFactory().post("/sign-in/", REMOTE_ADDR=remote)
    if forwarded:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(request) == expected
