"""Two-factor sign-in: a TOTP authenticator app (django-otp) and single-use backup codes.

After the password, a person proves the second factor once per session; until then
TwoFactorMiddleware lets them reach only the pages of signing in. RESOLVE_TWO_FACTOR=false
waives it, for the demo only (a deploy check refuses it in production: accounts/checks.py).
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

import segno
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_DEVICE = "Authenticator app"
BACKUP_DEVICE = "Backup codes"
BACKUP_CODES = 10


def proved(user: object) -> bool:
    """The second factor is proved in this session (django-otp's OTPMiddleware says)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def has_app(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_app(user: User) -> TOTPDevice:
    """The authenticator app being set up: made once, the same secret until confirmed."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": APP_DEVICE}
    )
    return device


def secret_in_groups(device: TOTPDevice) -> str:
    """The secret as an app asks for it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The set-up link as an SVG QR code, drawn in the page (no image request, no script)."""
    return str(
        segno.make(device.config_url, error="m").svg_inline(
            scale=5, title="QR code to add Resolve to your authenticator app", border=2
        )
    )


@dataclass(frozen=True)
class Refusal:
    message: str


def wait_message(until: datetime) -> str:
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1)
    return (
        f"Too many wrong codes. Wait {seconds} seconds, then enter the code your "
        "authenticator app shows at that moment."
    )


def confirm_app(request: HttpRequest, user: User, code: str) -> Refusal | list[str]:
    """Set-up's last step: the app's first code confirms it; the session counts as proved
    and fresh backup codes are made (returned once, never shown again)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=pending_app(user).pk)
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            return Refusal(wait_message(details["locked_until"]))
        if not device.verify_token(code):
            return Refusal(
                "The code is not right. Enter the 6-digit code your authenticator app "
                "shows now for Resolve."
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = new_backup_codes(user)
    otp_login(request, device)
    return codes


def new_backup_codes(user: User) -> list[str]:
    """Ten single-use codes; any earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def prove(request: HttpRequest, user: User, code: str) -> Refusal | None:
    """The second factor at sign-in: a code of the app (six digits), or one backup code
    (eight letters and digits, used up). Wrong codes slow the next try (django-otp's
    throttling: 1, 2, 4, 8... seconds)."""
    code = "".join(code.split()).lower()
    devices: list[TOTPDevice] | list[StaticDevice]
    if code.isdigit() and len(code) == 6:
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    with transaction.atomic():
        for device in devices:
            allowed, details = device.verify_is_allowed()
            if not allowed and details and details.get("locked_until"):
                return Refusal(wait_message(details["locked_until"]))
        for device in devices:
            if device.verify_token(code):
                otp_login(request, device)
                return None
    return Refusal(
        "The code is not right. Enter the 6-digit code your authenticator app shows now, "
        "or one of your backup codes."
    )
