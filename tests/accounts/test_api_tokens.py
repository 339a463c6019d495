"""The API tokens page: a person names and makes a token (its text shown once), sees their own
tokens and their state, and revokes one; the token works on the API until it is revoked."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.views import FRESH_TOKEN
from api.models import ApiToken
from api.tokens import token_create
from tests.accounts.test_two_factor import set_up, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MON_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
PAGE = "accounts:api_tokens"
TOKEN = re.compile(
    r'<code class="resolve-token-text" id="fresh-token">(rsv_[0-9a-f]{8}_[^<]+)</code>'
)


def signed_in(client: Client, user: Any = None) -> Any:
    user = user or UserFactory()
    client.force_login(user)
    return user


def make(client: Client, name: str) -> tuple[Any, str]:
    """Make a token on the page; the response to the redirect, and the text it shows."""
    response = client.post(reverse(PAGE), {"name": name})
    assert response.status_code == 302
    assert response.url == reverse(PAGE)
    page = client.get(response.url)
    found = TOKEN.findall(page.content.decode())
    assert len(found) == 1
    return page, found[0]


def cases_with(text: str) -> int:
    response = Client(HTTP_AUTHORIZATION=f"Bearer {text}").get(reverse("api:cases"))
    return int(response.status_code)


def revoke(client: Client, prefix: str) -> Any:
    return client.post(reverse("accounts:api_token_revoke", args=[prefix]))


def test_a_token_is_shown_once_and_only_its_digest_is_kept(client):
    # A session lives on the clock: each block that travels signs in at its own time.
    with time_machine.travel(MON_NOON, tick=False):
        user = signed_in(client)
        page, text = make(client, "weekly report script")
        again = client.get(reverse(PAGE)).content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.name == "weekly report script"
    assert text.startswith(f"rsv_{token.prefix}_")
    assert token.digest == hashlib.sha256(text.encode()).hexdigest()
    assert text not in token.digest
    assert token.expires_at == MON_NOON + dt.timedelta(days=90)
    shown = page.content.decode()
    assert "this is the only time Resolve shows it" in shown
    assert "Token “weekly report script” made." in shown
    assert "no-store" in page["Cache-Control"]
    # Gone from the session as it was shown: the page after a reload no longer has it.
    assert FRESH_TOKEN not in client.session
    assert text not in again
    assert "resolve-token-text" not in again
    assert "weekly report script" in again
    assert token.prefix in again
    assert "Works until 21 Feb 2027" in again
    assert "23 Nov 2026" in again  # made


def test_the_token_reaches_the_api_and_its_use_is_shown(client, settings):
    settings.RESOLVE_API_TOKEN_DAYS = 7
    with time_machine.travel(MON_NOON, tick=False):
        user = signed_in(client)
        _, text = make(client, "curl")
        assert ">never<" in client.get(reverse(PAGE)).content.decode()
    assert ApiToken.objects.get(user=user).expires_at == MON_NOON + dt.timedelta(days=7)
    with time_machine.travel(MON_NOON + dt.timedelta(days=2), tick=False):
        assert cases_with(text) == 200
    token = ApiToken.objects.get(user=user)
    assert token.last_used_at == MON_NOON + dt.timedelta(days=2)
    with time_machine.travel(MON_NOON + dt.timedelta(days=3), tick=False):
        signed_in(client, user)
        page = client.get(reverse(PAGE)).content.decode()
    assert "25 Nov 2026" in page  # last used
    assert "Works until 30 Nov 2026" in page
    assert "A token works for 7 days" in page


def test_an_expired_token_is_shown_expired_and_refused(client):
    with time_machine.travel(MON_NOON, tick=False):
        user = signed_in(client)
        _, text = make(client, "old script")
    with time_machine.travel(MON_NOON + dt.timedelta(days=91), tick=False):
        signed_in(client, user)
        page = client.get(reverse(PAGE)).content.decode()
        assert cases_with(text) == 401
    assert ">Expired<" in page
    assert "Works until" not in page
    assert "Revoke<" not in page


def test_the_page_lists_only_the_persons_own_tokens(client):
    user = signed_in(client)
    mine, _ = token_create(user=user, name="my script")
    theirs, _ = token_create(user=UserFactory(), name="somebody else's script")
    page = client.get(reverse(PAGE)).content.decode()
    assert "my script" in page and mine.prefix in page
    assert "somebody else" not in page
    assert theirs.prefix not in page


def test_a_person_with_no_tokens_is_told_so(client):
    signed_in(client)
    page = client.get(reverse(PAGE)).content.decode()
    assert "You have no tokens." in page
    assert 'href="/account/tokens/" aria-current="page">API tokens</a>' in page


def test_revoking_a_token_stops_it_on_the_api(client):
    user = signed_in(client)
    _, text = make(client, "to revoke")
    assert cases_with(text) == 200
    token = ApiToken.objects.get(user=user)
    response = revoke(client, token.prefix)
    assert response.status_code == 302
    assert response.url == reverse(PAGE)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert cases_with(text) == 401
    page = client.get(reverse(PAGE)).content.decode()
    assert f"Token “to revoke” ({token.prefix}) is revoked." in page
    assert ">Revoked<" in page
    assert "Works until" not in page
    # Again: nothing changes, and the page says so.
    revoked_at = token.revoked_at
    assert revoke(client, token.prefix).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
    assert "was already revoked" in client.get(reverse(PAGE)).content.decode()


def test_revoking_takes_a_post_only(client):
    user = signed_in(client)
    token, text = token_create(user=user, name="script")
    response = client.get(reverse("accounts:api_token_revoke", args=[token.prefix]))
    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None
    assert cases_with(text) == 200


def test_someone_elses_token_is_not_found_and_stays(client):
    signed_in(client)
    theirs, text = token_create(user=UserFactory(), name="their script")
    response = revoke(client, theirs.prefix)
    assert response.status_code == 404
    assert "their script" not in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert cases_with(text) == 200
    assert revoke(client, "nosuchpr").status_code == 404


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name for the token"),
        ("   ", "Enter a name for the token"),
        ("x" * 101, "The name must be 100 characters or fewer"),
    ],
)
def test_a_bad_name_gets_a_message_and_makes_nothing(client, name, message):
    signed_in(client)
    response = client.post(reverse(PAGE), {"name": name})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'<a href="#id_name">{message}</a>' in page
    assert "<title>Error: API tokens" in page
    assert not ApiToken.objects.exists()
    assert FRESH_TOKEN not in client.session
    assert "resolve-token-text" not in page


def test_a_name_of_100_characters_is_kept_whole(client):
    user = signed_in(client)
    make(client, "y" * 100)
    assert ApiToken.objects.get(user=user).name == "y" * 100


def test_the_name_is_shown_escaped(client):
    signed_in(client)
    page, _ = make(client, "<script>alert(1)</script>")
    shown = page.content.decode()
    assert "<script>alert(1)</script>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown


def test_a_signed_out_visitor_is_sent_to_sign_in_and_nothing_is_made(client):
    response = client.post(reverse(PAGE), {"name": "script"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not ApiToken.objects.exists()


def test_the_page_waits_for_the_second_factor(client, settings):
    settings.RESOLVE_TWO_FACTOR = True
    user = UserFactory()
    sign_in(client, user)
    response = client.post(reverse(PAGE), {"name": "script"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor_setup"))
    assert not ApiToken.objects.exists()
    set_up(client, user)
    _, text = make(client, "script")
    assert ApiToken.objects.get(user=user).prefix == text[4:12]
