"""The API tokens page in real Chromium, from the header's link: a name left out is an error,
a token is shown once, a reload no longer shows it, and revoking one marks it revoked. axe-core
scans every page (tests/e2e/conftest.py)."""

from __future__ import annotations

import re

from agencies.enums import Role
from api.models import ApiToken
from tests.e2e.flows import signed_in


def test_making_and_revoking_a_token(visitor, make_world):
    world = make_world("oscb-children")
    practitioner = world.person("challenging", Role.PRACTITIONER)
    v = visitor

    with signed_in(v, practitioner):
        v.click_link("API tokens")
        assert v.path() == "/account/tokens/"
        assert v.heading() == "API tokens"
        assert "You have no tokens." in v.main_text()

        v.click_button("Make token")  # no name: the error summary, nothing made
        assert v.page.title().startswith("Error: ")
        summary = v.page.locator(".govuk-error-summary")
        assert "Enter a name for the token" in summary.inner_text()
        assert not ApiToken.objects.exists()

        v.fill("Name", "weekly report script")
        v.click_button("Make token")
        assert "Token “weekly report script” made." in v.banner()
        text = v.page.locator("#fresh-token").inner_text()
        token = ApiToken.objects.get(user=practitioner)
        assert re.fullmatch(rf"rsv_{token.prefix}_[A-Za-z0-9_-]{{43}}", text)
        row = v.page.locator("main table tbody tr")
        assert row.count() == 1
        assert "weekly report script" in row.inner_text()
        assert "Works until" in row.inner_text()

        v.click_link("API tokens")  # back to the page: the token is not shown again
        assert v.page.locator("#fresh-token").count() == 0
        assert text not in v.page.content()

        v.click_button(f"Revoke weekly report script ({token.prefix})")
        assert f"({token.prefix}) is revoked" in v.banner()
        assert v.tags() == ["Revoked"]
        assert v.page.get_by_role("button", name=re.compile(r"^Revoke")).count() == 0
