"""Driving Debian's chromium with Playwright, and axe-core on every page a visitor loads.

Shared by the journeys (tests/e2e/conftest.py) and `make screenshots` (scripts/screenshots.py).

Every navigation goes through a `Visitor` method, which checks the response and scans the new
page with axe-core at WCAG 2.2 A and AA. A counter kept by the page itself (an init script, so
it runs in every document before the page's own scripts) proves that no page was loaded
without a scan: a journey that navigates behind the visitor's back fails.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, as axe-core tags them (2.2 adds AA rules only).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Every wait is bounded: an action or assertion, a page load.
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 20_000
LAUNCH_TIMEOUT_MS = 30_000

# Counts the documents this tab has loaded, in sessionStorage so the count survives navigation.
COUNT_LOADS_JS = """
(() => {
  if (window.top !== window) return;
  try {
    const n = Number(sessionStorage.getItem("e2e-loads") || "0") + 1;
    sessionStorage.setItem("e2e-loads", String(n));
  } catch (e) { /* about:blank has no storage */ }
})();
"""
RUN_AXE_JS = """
async (tags) => {
  const loads = Number(sessionStorage.getItem("e2e-loads") || "0");
  const scanned = Number(sessionStorage.getItem("e2e-scanned") || "0");
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  sessionStorage.setItem("e2e-scanned", String(loads));
  return {
    loads: loads,
    scanned: scanned,
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary})),
    })),
  };
}
"""


class ChromiumMissing(RuntimeError):
    pass


def chromium_missing() -> str:
    return (
        f"{CHROMIUM} is missing: the browser tests need Debian's chromium. "
        "Run `make chromium` (apt-get install chromium)."
    )


def launch_chromium(playwright: Any) -> Any:
    """Debian's headless chromium; never a browser downloaded by Playwright."""
    if not CHROMIUM.exists():
        raise ChromiumMissing(chromium_missing())
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=LAUNCH_TIMEOUT_MS
    )


def read_axe() -> str:
    if not AXE_JS.exists():
        raise FileNotFoundError(
            f"{AXE_JS} is missing: run `npm ci` (make does) to install axe-core."
        )
    return AXE_JS.read_text(encoding="utf-8")


def new_context(browser: Any, *, base_url: str, axe_source: str | None, **options: Any) -> Any:
    """A fresh browsing context (its own cookies): UK locale and clock zone, bounded waits,
    and (when axe_source is given) axe-core and the load counter in every document."""
    context = browser.new_context(
        base_url=base_url, locale="en-GB", timezone_id="Europe/London", **options
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    if axe_source is not None:
        context.add_init_script(script=COUNT_LOADS_JS)
        context.add_init_script(script=axe_source)
    return context


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core: {len(violations)} violation(s) on {url}"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    target {json.dumps(node['target'])}")
            summary = (node.get("summary") or "").replace("\n", " | ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def _exact(label: str | re.Pattern[str]) -> bool:
    return isinstance(label, str)


@dataclass
class Visitor:
    """One person's browser tab on the server. Every navigation goes through a method here,
    which checks the response status and (with `scan`) runs axe-core on the new page."""

    page: Any
    base_url: str
    scan_pages: bool = True
    password: str = ""
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def watch(self) -> Visitor:
        """Record script errors, what the Content Security Policy refused, and failed requests
        for images, styles and scripts."""
        page = self.page
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        # Anything the Content Security Policy refused (an inline script or style, a script
        # from elsewhere): the browser says so on the console.
        page.on(
            "console",
            lambda message: (
                self.problems.append(f"refused by the CSP: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        page.on(
            "requestfailed",
            lambda req: self.problems.append(f"failed: {req.method} {req.url} {req.failure}"),
        )
        page.on(
            "response",
            lambda resp: (
                self.problems.append(f"{resp.status} for {resp.url}")
                if resp.request.resource_type != "document" and resp.status >= 400
                else None
            ),
        )
        return self

    # --- navigation (each one ends with a scan) ---------------------------------------------
    def open(self, path: str, *, status: int = 200) -> Any:
        response = self.page.goto(self.base_url + path, wait_until="load")
        return self._arrived(response, status)

    def click_button(self, name: str | re.Pattern[str], *, status: int = 200) -> Any:
        """Press a button that submits a form, and wait for the page that follows."""
        return self.click(self.page.get_by_role("button", name=name, exact=_exact(name)), status)

    def click_link(self, name: str | re.Pattern[str], *, status: int = 200) -> Any:
        return self.click(self.page.get_by_role("link", name=name, exact=_exact(name)), status)

    def click(self, locator: Any, status: int = 200) -> Any:
        with self.page.expect_navigation(wait_until="load") as navigation:
            locator.click()
        return self._arrived(navigation.value, status)

    def _arrived(self, response: Any, status: int) -> Any:
        assert response is not None, f"no response loading {self.page.url}"
        assert response.status == status, (
            f"{response.request.method} {response.url} answered {response.status}, "
            f"expected {status}\n{self.main_text()[:3000]}"
        )
        if self.scan_pages:
            self.scan()
        else:
            self.visited.append(self.page.url)
        return response

    # --- what the page shows ----------------------------------------------------------------
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def main_text(self) -> str:
        main = self.page.locator("main")
        return str(main.inner_text()) if main.count() else str(self.page.content())

    def heading(self) -> str:
        return str(self.page.locator("main h1").first.inner_text()).strip()

    def banner(self) -> str:
        """The text of the notification banner(s) shown after an action."""
        return " ".join(self.page.locator(".govuk-notification-banner").all_inner_texts())

    def tags(self) -> list[str]:
        return [t.strip() for t in self.page.locator("main .govuk-tag").all_inner_texts()]

    def fill(self, label: str | re.Pattern[str], value: str) -> None:
        self.page.get_by_label(label, exact=_exact(label)).fill(value)

    def choose(self, label: str | re.Pattern[str]) -> None:
        """Pick a radio or tick a checkbox by its label."""
        self.page.get_by_label(label, exact=_exact(label)).check()

    def choose_in(self, group: str | re.Pattern[str], label: str | re.Pattern[str]) -> None:
        """Pick a radio or tick a checkbox by its label, within the fieldset named `group`
        (its legend): for the many Yes and No of a form."""
        fieldset = self.page.get_by_role("group", name=group, exact=_exact(group))
        fieldset.get_by_label(label, exact=_exact(label)).check()

    def select(self, label: str | re.Pattern[str], option: str) -> None:
        self.page.get_by_label(label, exact=_exact(label)).select_option(label=option)

    # --- signing in and out -----------------------------------------------------------------
    def sign_in(self, who: Any, password: str | None = None) -> None:
        """Sign in as a person (a user, or a username); signing out leaves the sign-in page
        open, so a journey goes straight on from there."""
        if not self.path().startswith("/sign-in/"):
            self.open("/sign-in/")
        self.fill("Username", getattr(who, "username", who))
        self.fill("Password", password or self.password)
        self.click_button("Sign in")
        assert self.heading() == "Your work", self.main_text()[:500]

    def sign_out(self) -> None:
        self.click_button("Sign out")
        assert self.heading() == "Sign in to Resolve"

    # --- axe-core -----------------------------------------------------------------------------
    def scan(self) -> None:
        """axe-core on the page now shown: no violations at WCAG 2.2 A and AA; and no page
        loaded since the last scan that this one did not see."""
        self.page.wait_for_load_state("load")
        url = self.page.url
        result = self.page.evaluate(RUN_AXE_JS, AXE_TAGS)
        self.visited.append(url)
        assert result["loads"] - result["scanned"] <= 1, (
            f"{result['loads'] - result['scanned'] - 1} page(s) were loaded without an axe "
            f"scan before {url}: navigate through the Visitor's methods"
        )
        assert not result["violations"], format_violations(url, result["violations"])

    def unscanned_loads(self) -> int:
        if not self.page.url.startswith(self.base_url):
            return 0
        counts = self.page.evaluate(
            "() => [sessionStorage.getItem('e2e-loads'), sessionStorage.getItem('e2e-scanned')]"
        )
        return int(counts[0] or 0) - int(counts[1] or 0)
