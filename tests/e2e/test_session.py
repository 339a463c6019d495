"""Sessions and the Content Security Policy in real Chromium: the idle warning and "Stay
signed in", signing out when idle, and the browser refusing inline code."""

from __future__ import annotations

import time
from base64 import b32decode

from django_otp.oath import TOTP

from agencies.enums import Role


def test_the_idle_warning_shows_and_stay_signed_in_keeps_the_session(visitor, make_world, settings):
    world = make_world("oscb-children")
    practitioner = world.person("challenging", Role.PRACTITIONER)
    settings.RESOLVE_IDLE_MINUTES = 0.25  # 15 seconds: the warning comes at 7 seconds left
    visitor.sign_in(practitioner)
    banner = visitor.page.locator("#idle-warning")
    assert banner.is_hidden()
    banner.wait_for(state="visible", timeout=15_000)
    assert "You will be signed out in" in banner.inner_text()
    banner.get_by_role("button", name="Stay signed in").click()
    banner.wait_for(state="hidden", timeout=5_000)
    # Still signed in, well past the first deadline.
    visitor.page.wait_for_timeout(9_000)
    visitor.open("/")
    assert visitor.heading() == "Your work"


def test_an_idle_page_signs_out_and_says_why(visitor, make_world, settings):
    world = make_world("oscb-children")
    practitioner = world.person("challenging", Role.PRACTITIONER)
    settings.RESOLVE_IDLE_MINUTES = 0.1  # 6 seconds
    visitor.sign_in(practitioner)
    # The page reloads itself at the deadline; the server has signed the session out.
    with visitor.page.expect_navigation(url="**/sign-in/**", timeout=20_000):
        pass
    visitor.page.wait_for_load_state("load")
    visitor.scan()
    assert visitor.heading() == "Sign in to Resolve"
    assert "You were signed out because nothing happened" in visitor.main_text()


def test_the_browser_refuses_inline_script(visitor, make_world):
    world = make_world("oscb-children")
    visitor.sign_in(world.person("challenging", Role.PRACTITIONER))
    try:
        visitor.page.add_script_tag(content="window.resolveInlineRan = true;")
    except Exception as refused:  # Playwright reports the script that never ran
        assert "script" in str(refused).lower() or "Content Security Policy" in str(refused)
    assert visitor.page.evaluate("window.resolveInlineRan === undefined") is True
    refused = [p for p in visitor.problems if p.startswith("refused by the CSP")]
    assert refused, visitor.problems
    visitor.problems[:] = [p for p in visitor.problems if p not in refused]


def test_two_factor_set_up_and_sign_in_with_a_backup_code(visitor, make_world, settings):
    """The set-up page, the code, the backup codes and the next sign-in, in Chromium; axe-core
    scans each page (the QR code is an image with a name)."""
    settings.RESOLVE_TWO_FACTOR = True
    world = make_world("oscb-children")
    practitioner = world.person("challenging", Role.PRACTITIONER)
    visitor.open("/sign-in/")
    visitor.fill("Username", practitioner.username)
    visitor.fill("Password", visitor.password)
    visitor.click_button("Sign in")
    assert visitor.heading() == "Set up two-factor sign-in"
    qr = visitor.page.locator(".resolve-qr-code svg")
    assert qr.is_visible()
    visitor.page.get_by_text("I cannot scan the QR code").click()
    secret = visitor.page.locator("code.resolve-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time()
    visitor.fill("Code", f"{totp.token():06d}")
    visitor.click_button("Confirm and continue")
    assert visitor.heading() == "Backup codes"
    codes = visitor.page.locator(".resolve-backup-codes code").all_inner_texts()
    assert len(codes) == 10
    visitor.click_link("Continue")
    assert visitor.heading() == "Your work"

    visitor.sign_out()
    visitor.fill("Username", practitioner.username)
    visitor.fill("Password", visitor.password)
    visitor.click_button("Sign in")
    assert visitor.heading() == "Enter your sign-in code"
    visitor.fill("Code", "000000" if f"{totp.token():06d}" != "000000" else "111111")
    visitor.click_button("Continue")
    assert "The code is not right" in visitor.page.locator(".govuk-error-summary").inner_text()
    visitor.page.wait_for_timeout(1_100)  # one wrong code: the next try waits a second
    visitor.fill("Code", codes[0])
    visitor.click_button("Continue")
    assert visitor.heading() == "Your work"
