"""The shared layout in real Chromium: sign-in, its error, the work queue, the error pages,
the header and navigation, sign-out. axe-core scans every page (tests/e2e/conftest.py)."""

from __future__ import annotations

from agencies.enums import Role


def test_sign_in_work_queue_and_sign_out(visitor, make_world):
    world = make_world("oscb-children")
    practitioner = world.person("challenging", Role.PRACTITIONER)
    case = world.raise_case()

    visitor.open("/")  # signed out: sent to sign in, and back here afterwards
    assert visitor.page.url.startswith(visitor.base_url + "/sign-in/?next=/")
    assert visitor.heading() == "Sign in to Resolve"

    visitor.fill("Username", practitioner.username)
    visitor.fill("Password", "not the password")
    visitor.click_button("Sign in")
    assert visitor.page.title().startswith("Error: Sign in")
    summary = visitor.page.locator(".govuk-error-summary")
    assert "Enter a correct username and password" in summary.inner_text()
    # The error summary's link goes to the field at fault.
    assert summary.get_by_role("link").get_attribute("href") == "#id_username"

    visitor.sign_in(practitioner)
    # The header names the product and the partnership; nothing of GOV.UK's.
    header = visitor.page.locator("header.govuk-template__header")
    assert header.get_by_role("link", name="Resolve", exact=True).is_visible()
    assert world.partnership.name in header.inner_text()
    assert visitor.page.locator(".govuk-header__logotype, .govuk-logo").count() == 0
    nav = visitor.page.get_by_role("navigation", name="Menu")
    current = nav.locator("[aria-current='page']")
    assert current.inner_text() == "Your work"
    # The work queue: the case, its step and its status tag.
    row = visitor.page.locator("main table tbody tr", has_text=case.reference)
    assert row.count() == 1
    assert "Open" in row.locator(".govuk-tag").all_inner_texts()
    assert "Step 1" in row.inner_text()

    visitor.click_link(case.reference)
    assert case.reference in visitor.heading()
    assert world.responding.name in visitor.main_text()

    visitor.open("/cases/NOPE-2026-0001/", status=404)
    assert visitor.heading() == "Page not found"
    visitor.click_link("Go to your work")
    assert visitor.heading() == "Your work"

    visitor.sign_out()
    assert visitor.page.locator("header").get_by_role("button", name="Sign out").count() == 0


def test_another_partnership_sees_no_case(visitor, make_world):
    world = make_world("sab-adults")
    case = world.raise_case()
    outsider = world.person("elsewhere", Role.SAFEGUARDING_LEAD)

    visitor.sign_in(outsider)
    assert case.reference not in visitor.main_text()
    visitor.open(f"/cases/{case.reference}/", status=404)
    assert visitor.heading() == "Page not found"
    assert case.reference not in visitor.main_text()
    assert case.disagreement not in visitor.page.content()


def test_narrow_screen_menu(visitor, make_world):
    """On a phone the service navigation folds behind a Menu button (GOV.UK Frontend's
    JavaScript); the page still passes axe there (reflow, target size)."""
    world = make_world("ssab-adults")
    visitor.page.set_viewport_size({"width": 320, "height": 640})
    visitor.sign_in(world.person("challenging", Role.LINE_MANAGER))
    toggle = visitor.page.get_by_role("button", name="Menu")
    assert toggle.is_visible()
    assert not visitor.page.get_by_role("link", name="Your work").is_visible()
    toggle.click()
    assert visitor.page.get_by_role("link", name="Your work").is_visible()
    visitor.scan()


def test_a_form_sent_without_its_session_gets_a_plain_explanation(visitor, make_world):
    """A form sent after the session's cookies are gone (an old tab, signed out elsewhere) is
    refused by CSRF protection with a GOV.UK-styled page, not Django's technical one."""
    world = make_world("4lscb-children")
    visitor.open("/sign-in/")
    visitor.page.context.clear_cookies()
    visitor.fill("Username", world.person("challenging", Role.PRACTITIONER).username)
    visitor.fill("Password", visitor.password)
    visitor.click_button("Sign in", status=403)
    assert visitor.heading() == "Your form could not be sent"
    assert "Nothing was saved" in visitor.main_text()
    assert "CSRF" not in visitor.page.content()
