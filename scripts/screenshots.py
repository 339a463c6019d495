"""`make screenshots`: PNGs of Resolve's main pages, for the README, in docs/screenshots/.

Loads the demo data into a throwaway SQLite database (in a temporary folder, deleted at the
end), serves it on 127.0.0.1:8104 with `manage.py runserver`, and drives Debian's chromium
with Playwright (tests/e2e/browser.py) through the pages as the demo people: sign-in, the work
queue, the raise pages to check your answers and the confirmation, a case page, recording a
step's outcome, the safeguarding lead's overdue page, a case's PDFs and the check of a PDF,
the board's cases, a policy and its timeline preview, the page-not-found page and the board's
report; then one page of each preset's pro forma PDF (scripts/proforma_screenshots.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from tests.e2e.browser import Visitor, launch_chromium, new_context  # noqa: E402
from tests.e2e.flows import Challenge, raise_challenge  # noqa: E402

HOST, PORT = "127.0.0.1", 8104
BASE_URL = f"http://{HOST}:{PORT}"
OUT = BASE_DIR / "docs" / "screenshots"
PASSWORD = "resolve-demo-2026"  # escalation/demo.py: every demo person's password
SERVER_START_TIMEOUT_S = 60
VIEWPORT = {"width": 1100, "height": 800}
MAX_HEIGHT = 2400


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        timeout=600,
    )
    return result.stdout or ""


@contextmanager
def demo_server(workdir: Path) -> Iterator[dict[str, Any]]:
    """The demo data on a fresh SQLite database, served on 127.0.0.1:8104."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
        "DEBUG": "false",
        "EMAIL_FILE_PATH": str(workdir / "mail"),
        "MEDIA_ROOT": str(workdir / "media"),
        "CELERY_BROKER_FOLDER": str(workdir / "broker"),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "RESOLVE_TWO_FACTOR": "false",  # the demo's sign-ins, as `make demo` runs them
    }
    print("Loading the demo data into a throwaway SQLite database")
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "load_policies", "-v0")
    demo = json.loads(manage(env, "seed_demo", "--json", capture=True))
    try:
        urllib.request.urlopen(BASE_URL, timeout=1)
    except OSError:
        pass
    else:
        raise SystemExit(f"Something already answers on {BASE_URL}: stop it, then run again.")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "server.log", "w"),  # noqa: SIM115 (closed with the folder)
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            try:
                urllib.request.urlopen(f"{BASE_URL}/sign-in/", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    log = (workdir / "server.log").read_text()[-3000:]
                    raise SystemExit(f"The demo server did not start:\n{log}") from None
                time.sleep(0.5)
        print(f"Demo server on {BASE_URL}")
        yield demo
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def person(demo: dict[str, Any], *, agency: str, role: str) -> str:
    return next(u["username"] for u in demo["users"] if u["agency"] == agency and u["role"] == role)


def case_at(demo: dict[str, Any], *, policy: str, step: int, overdue: bool) -> dict[str, Any]:
    return next(
        c
        for c in demo["cases"]
        if c["policy"] == policy
        and c["route"] == "standard"
        and c["status"] == "open"
        and c["step"] == step
        and c["overdue"] is overdue
    )


class Shooter:
    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.taken: list[str] = []

    @contextmanager
    def visitor(self) -> Iterator[Visitor]:
        context = new_context(self.browser, base_url=BASE_URL, axe_source=None, viewport=VIEWPORT)
        try:
            yield Visitor(page=context.new_page(), base_url=BASE_URL, scan_pages=False)
        finally:
            context.close()

    def shoot(self, v: Visitor, name: str) -> None:
        """The page from its top, down to MAX_HEIGHT (a policy in words runs far longer)."""
        path = OUT / f"{name}.png"
        height = min(int(v.page.evaluate("document.documentElement.scrollHeight")), MAX_HEIGHT)
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height}
        v.page.screenshot(path=str(path), full_page=True, clip=clip, animations="disabled")
        self.taken.append(path.name)
        print(f"  {path.relative_to(BASE_DIR)}  ({v.path()})")


RAISE_SHOTS = {
    "route": "03-raise-route",
    "agency": "04-raise-agency",
    "subject": "05-raise-subject",
    "category": "06-raise-category",
    "disagreement": "07-raise-disagreement",
    "risk": "08-raise-risk",
    "check": "09-raise-check-answers",
    "done": "10-raise-confirmation",
}


def take(shooter: Shooter, demo: dict[str, Any]) -> None:
    oxf = "Oxbridge Safeguarding Children Partnership"
    health, social = "Oxbridge Health NHS Trust", "Oxbridge Children's Social Care"
    assert any(u["partnership"] == oxf for u in demo["users"]), "the demo has changed"

    with shooter.visitor() as v:
        v.open("/sign-in/")
        shooter.shoot(v, "01-sign-in")
        v.sign_in(person(demo, agency=social, role="line_manager"), PASSWORD)
        shooter.shoot(v, "02-work-queue")

    with shooter.visitor() as v:
        v.sign_in(person(demo, agency=health, role="practitioner"), PASSWORD)
        raise_challenge(
            v,
            Challenge(
                route="Resolving professional concerns and disagreements",
                responding_agency=social,
                professional="Sam Patel, duty social worker",
                subject_kind="Child",
                initials="JD",
                age="5 to 10",
                category="Outcomes of assessments",
                disagreement=(
                    "The referral about neglect was closed after a single home visit, without "
                    "the health visitor's chronology being considered."
                ),
                impact="Missed health appointments continue and the child's weight is falling.",
                record_numbers={health: "NHS-44120"},
                on_page=lambda key, page: (
                    shooter.shoot(page, RAISE_SHOTS[key]) if key in RAISE_SHOTS else None
                ),
            ),
        )

    case = case_at(demo, policy="oscb-children", step=3, overdue=False)
    challenging = case["agencies"][0]
    with shooter.visitor() as v:
        v.sign_in(person(demo, agency=challenging, role="safeguarding_lead"), PASSWORD)
        v.open(f"/cases/{case['reference']}/")
        shooter.shoot(v, "11-case")
        v.click_button("Record the outcome of this step")
        shooter.shoot(v, "12-record-outcome")
        v.open("/overdue/")
        shooter.shoot(v, "13-overdue")
        v.open(f"/cases/{case['reference']}/pdf/")
        v.choose("Step 1 - Challenging professional with their peer in the other agency")
        v.click_button("Produce PDF")  # a section is produced at once and listed
        shooter.shoot(v, "18-case-pdfs")
        v.open("/pdf/check/")
        shooter.shoot(v, "19-check-a-pdf")

    with shooter.visitor() as v:
        v.sign_in(person(demo, agency=f"{oxf} team", role="board_staff"), PASSWORD)
        v.open("/board/cases/")
        shooter.shoot(v, "14-board-cases")
        v.open("/policies/oscb-children/")
        shooter.shoot(v, "15-policy")
        v.open(
            "/policies/oscb-children/timeline/?start_day=23&start_month=12&start_year=2026"
            "&start_hour=15&start_minute=00&nation=england&route=standard"
        )
        shooter.shoot(v, "16-policy-timeline")
        v.open("/cases/NO-SUCH-CASE/", status=404)
        shooter.shoot(v, "17-page-not-found")
        v.open("/reports/")
        shooter.shoot(v, "20-board-report")


def proforma_pictures(workdir: Path) -> list[str]:
    """One page of each preset's record as PNG (scripts/proforma_screenshots.py, on the
    throwaway database the demo server used; pdftoppm from Debian's poppler-utils)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
    }
    printed = subprocess.run(
        [sys.executable, str(BASE_DIR / "scripts" / "proforma_screenshots.py")],
        cwd=BASE_DIR,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
        timeout=600,
    ).stdout
    names = [Path(line.strip()).name for line in printed.splitlines() if line.strip()]
    for name in names:
        print(f"  docs/screenshots/{name}  (pro forma PDF, page with the record)")
    return names


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="resolve-screenshots-"))
    try:
        with demo_server(workdir) as demo, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            shooter = Shooter(browser)
            try:
                print(f"Screenshots into {OUT.relative_to(BASE_DIR)}/")
                take(shooter, demo)
            finally:
                browser.close()
        shooter.taken += proforma_pictures(workdir)
        stale = sorted({p.name for p in OUT.glob("*.png")} - set(shooter.taken))
        for name in stale:  # pages no longer shot: their old pictures would mislead
            (OUT / name).unlink()
        print(f"{len(shooter.taken)} screenshots saved")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
