"""Every page's security headers, a Content Security Policy that needs no inline code, and
`check --deploy` clean under production settings."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import UserFactory

BASE_DIR = Path(django_settings.BASE_DIR)
# Templates that no browser renders: e-mails (mail clients ignore stylesheets) and the PDFs
# (WeasyPrint reads their <style>; no page serves them as HTML).
NOT_FOR_BROWSERS = ("templates/email/", "templates/proforma/pdf/", "templates/reports/export_pdf")
INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "a <style> element": re.compile(r"<style\b", re.I),
    "a style attribute": re.compile(r"\sstyle=", re.I),
    "an event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "a javascript: link": re.compile(r"javascript:", re.I),
}


def browser_templates() -> list[Path]:
    found = [*BASE_DIR.glob("templates/**/*.html"), *BASE_DIR.glob("*/templates/**/*.html")]
    return [
        path
        for path in found
        if ".venv" not in path.parts
        and not any(part in path.relative_to(BASE_DIR).as_posix() for part in NOT_FOR_BROWSERS)
    ]


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client):
    client.force_login(UserFactory())
    for url in (reverse("login"), reverse("escalation:home")):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_session_cookie_is_not_for_scripts(client):
    person = UserFactory()
    response = client.post(
        reverse("login"), {"username": person.username, "password": "resolve-test-pass"}
    )
    assert response.status_code == 302
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_no_template_a_browser_renders_holds_inline_code():
    templates = browser_templates()
    assert len(templates) > 30  # the scan found the product's pages
    found = [
        f"{path.relative_to(BASE_DIR)}: {what}"
        for path in templates
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def production_environment() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own process only.
        if key
        not in {
            "DEBUG",
            "RESOLVE_HTTPS",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DEBUG="false",
        RESOLVE_HTTPS="true",
        RESOLVE_REQUIRE_SECRET_KEY="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="resolve.example.org",
    )
    return env


def manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """manage.py in a process of its own, with production settings (and any extra)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=production_environment() | extra_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_send_cookies_only_over_https():
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
    ]
    code = f"from django.conf import settings; print([getattr(settings, n) for n in {names!r}])"
    result = manage("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[True, True, True, 31536000, True, True]"


@pytest.mark.django_db
def test_a_host_not_allowed_gets_the_bad_request_page_not_a_server_error(client):
    """Django refuses the Host before any middleware sets request.user; the 400 page's
    header and navigation must not need it."""
    response = client.get("/", HTTP_HOST="elsewhere.example")
    assert response.status_code == 400
    assert "Traceback" not in response.content.decode()
