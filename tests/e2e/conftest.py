"""End-to-end journeys in real headless Chromium, with axe-core on every page they visit.

The browser is Debian's chromium at /usr/bin/chromium (`make chromium` installs it), driven by
Playwright (tests/e2e/browser.py); a browser downloaded by Playwright is never used, and a
missing chromium fails the journeys rather than skipping them.

The server is pytest-django's `live_server`: under xdist each worker starts its own, on a free
port, against that worker's own test database, and its own chromium; so the journeys spread
over the workers like any other test. A test that uses `live_server` runs in a transactional
database (its data is committed, so the server's thread sees it; the tables are emptied after
it), and pytest-django runs those tests after the others on each worker.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.e2e import browser as browser_module
from tests.e2e.browser import Visitor, chromium_missing, launch_chromium, new_context, read_axe

JOURNEY_TIMEOUT_S = 300  # a whole journey, with pytest-timeout
PASSWORD = "resolve-e2e-pass"
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Bound every browser test in time."""
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.timeout(JOURNEY_TIMEOUT_S))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so the visitor fixture can tell a failure."""
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def axe_source() -> str:
    try:
        return read_axe()
    except FileNotFoundError as missing:
        pytest.fail(str(missing), pytrace=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless chromium, one per xdist worker."""
    from playwright.sync_api import sync_playwright

    if not browser_module.CHROMIUM.exists():
        pytest.fail(chromium_missing(), pytrace=False)
    # Playwright's sync API keeps an asyncio loop on this thread, so Django would refuse the
    # tests' own ORM calls (building the world) as if they came from async code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_visitor(
    request: pytest.FixtureRequest, browser: Any, live_server: Any, axe_source: str, tmp_path: Path
) -> Iterator[Callable[[], Visitor]]:
    """Make a browser tab with its own cookies (another person at another desk) on the live
    server, axe-core in every document. At the end of a passing test: no page left unscanned,
    no script error, no failed request for a style, script or image, in any of them. A failing
    test leaves a screenshot of each."""
    made: list[tuple[Any, Visitor]] = []

    def make() -> Visitor:
        context = new_context(browser, base_url=live_server.url, axe_source=axe_source)
        v = Visitor(page=context.new_page(), base_url=live_server.url, password=PASSWORD)
        made.append((context, v.watch()))
        return v

    try:
        yield make
        call = getattr(request.node, "e2e_report_call", None)
        if call is not None and call.passed:
            for _, v in made:
                assert v.unscanned_loads() == 0, f"the last page, {v.page.url}, was never scanned"
                assert not v.problems, "\n".join(v.problems)
    finally:
        call = getattr(request.node, "e2e_report_call", None)
        for number, (context, v) in enumerate(made, start=1):
            if call is not None and call.failed:
                shot = tmp_path / f"failure-{number}.png"
                try:
                    v.page.screenshot(path=str(shot), full_page=True)
                    print(f"\nScreenshot of the failing page ({v.page.url}): {shot}")
                except Exception as exc:  # the browser may be gone; the failure itself matters
                    print(f"\nNo screenshot: {exc}")
                print("Pages visited:\n  " + "\n  ".join(v.visited))
            context.close()


@pytest.fixture
def visitor(new_visitor: Callable[[], Visitor]) -> Visitor:
    """One browser tab on the live server (see new_visitor)."""
    return new_visitor()


@pytest.fixture
def presets(transactional_db: None) -> dict[str, Any]:
    """Every shipped preset, loaded and published (committed: the server must see them)."""
    call_command("load_policies", verbosity=0)
    from escalation.models import Policy

    return {p.slug: p for p in Policy.objects.filter(owner__isnull=True)}


# Each preset's partnership: the nation whose calendar its original follows, and a code. A preset
# not named here (a new file in escalation/presets/) gets an English partnership.
PRESET_PARTNERSHIPS = {
    "oscb-children": ("england", "OXF"),
    "sab-adults": ("wales", "SAB"),
    "ssab-adults": ("northern-ireland", "SSA"),
    "4lscb-children": ("scotland", "FOU"),
}


@pytest.fixture
def make_world(presets: dict[str, Any]) -> Callable[[str], Any]:
    """build_world (tests/escalation/world.py) for a preset; everyone's password is PASSWORD."""
    from tests.escalation.world import build_world

    def make(slug: str) -> Any:
        nation, code = PRESET_PARTNERSHIPS.get(slug, ("england", "NEW"))
        world = build_world(policy=presets[slug], nation=nation, code=code)
        for user in world.people.values():
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        return world

    return make
