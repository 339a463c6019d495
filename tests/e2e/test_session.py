"""Sessions and the Content Security Policy in real Chromium: the idle warning and "Stay
signed in", signing out when idle, and the browser refusing inline code."""

from __future__ import annotations

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
