"""Two-factor sign-in: set up with a QR code, backup codes, every page behind the second
factor, and the demo's waiver refused by `check --deploy`."""

import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.enums import Role
from tests.accounts.test_headers import manage
from tests.escalation.world import build_world
from tests.factories import UserFactory

PASSWORD = "resolve-test-pass"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def required(settings):
    settings.RESOLVE_TWO_FACTOR = True


def code_now(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def sign_in(client: Client, user) -> None:
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert SESSION_KEY in client.session


def set_up(client: Client, user) -> list[str]:
    """Sign in, set up the app, and return the backup codes shown."""
    sign_in(client, user)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:two_factor_setup"), {"code": code_now(device)})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)


def test_the_first_sign_in_asks_to_set_up_the_app(client):
    user = UserFactory()
    sign_in(client, user)
    response = client.get(reverse("escalation:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor_setup"))
    page = client.get(response.url).content.decode()
    assert "Set up two-factor sign-in" in page
    assert "<svg" in page and "QR code to add Resolve to your authenticator app" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'<code class="resolve-secret">([A-Z2-7 ]+)</code>', page)
    assert secret is not None and len(secret.group(1).replace(" ", "")) == 32
    assert "otpauth://totp/Resolve" in device.config_url


def test_a_wrong_code_is_refused_and_confirms_nothing(client):
    user = UserFactory()
    sign_in(client, user)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(code_now(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:two_factor_setup"), {"code": wrong})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "The code is not right" in page
    device.refresh_from_db()
    assert device.confirmed is False
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert client.get(reverse("escalation:home")).status_code == 302


def test_setting_up_shows_ten_backup_codes_once_and_opens_the_pages(client):
    user = UserFactory()
    codes = set_up(client, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=user).confirmed is True
    assert client.get(reverse("escalation:home")).status_code == 200
    again = client.get(reverse("accounts:backup_codes")).content.decode()
    assert not any(code in again for code in codes)
    assert "You have 10 backup codes left" in again


def test_the_next_sign_in_asks_for_a_code_then_goes_where_it_was_going(client):
    user = UserFactory()
    set_up(client, user)
    client.logout()
    sign_in(client, user)
    wanted = reverse("notifications:inbox")
    response = client.get(wanted)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:two_factor_verify')}?next={wanted}"
    page = client.get(response.url).content.decode()
    assert "Enter your sign-in code" in page
    device = TOTPDevice.objects.get(user=user)
    # The code of the set-up's time step is used; the next step's is accepted (tolerance).
    response = client.post(response.url, {"code": code_now(device, 1), "next": wanted})
    assert response.status_code == 302
    assert response.url == wanted
    assert client.get(wanted).status_code == 200


def test_a_backup_code_works_once(client):
    user = UserFactory()
    codes = set_up(client, user)
    client.logout()
    sign_in(client, user)
    verify = reverse("accounts:two_factor_verify")
    assert client.post(verify, {"code": codes[0].upper()}).status_code == 302
    assert client.get(reverse("escalation:home")).status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9
    client.logout()
    sign_in(client, user)
    response = client.post(verify, {"code": codes[0]})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert client.get(reverse("escalation:home")).status_code == 302


def test_wrong_codes_slow_the_next_try(client):
    user = UserFactory()
    set_up(client, user)
    client.logout()
    sign_in(client, user)
    verify = reverse("accounts:two_factor_verify")
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(code_now(device)) + 500_000) % 1_000_000:06d}"
    assert "The code is not right" in client.post(verify, {"code": wrong}).content.decode()
    page = client.post(verify, {"code": code_now(device)}).content.decode()
    assert "Too many wrong codes. Wait" in page
    assert client.get(reverse("escalation:home")).status_code == 302


def test_new_backup_codes_replace_the_old(client):
    user = UserFactory()
    old = set_up(client, user)
    response = client.post(reverse("accounts:backup_codes"))
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == (
        set(new)
    )


def test_every_page_of_a_case_waits_for_the_second_factor(client, presets):
    world = build_world(policy=presets["oscb-children"], code="OXF")
    case = world.raise_case()
    raiser = case.raised_by
    sign_in(client, raiser)
    for url in (
        reverse("escalation:case", args=[case.reference]),
        reverse("proforma:list", args=[case.reference]),
        reverse("escalation:home"),
        reverse("admin:index"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:two_factor_setup")), url
        assert case.reference not in response.content.decode()
    lead = world.person("challenging", Role.SAFEGUARDING_LEAD)
    other = Client()
    sign_in(other, lead)
    assert other.get(reverse("escalation:overdue")).status_code == 302


def test_an_administrator_resets_a_lost_phone(client):
    user = UserFactory()
    set_up(client, user)
    admin = Client()
    set_up(admin, UserFactory(is_staff=True, is_superuser=True))  # their own second factor
    device = TOTPDevice.objects.get(user=user)
    response = admin.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    client.logout()
    sign_in(client, user)
    response = client.get(reverse("escalation:home"))
    assert response.url.startswith(reverse("accounts:two_factor_setup"))


def test_the_waiver_is_for_the_demo_only():
    required = manage("check", "--deploy", "--fail-level", "WARNING")
    assert required.returncode == 0, required.stdout + required.stderr
    waived = manage("check", "--deploy", "--fail-level", "WARNING", RESOLVE_TWO_FACTOR="false")
    assert waived.returncode == 1
    said = waived.stdout + waived.stderr
    assert "accounts.W001" in said
    assert "Two-factor sign-in is waived (RESOLVE_TWO_FACTOR=false)." in said
