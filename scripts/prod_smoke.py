"""The production processes started here with production settings: a fresh database,
migrations and policies, two gunicorn web processes, two Celery workers and one beat; each
web process's probes are checked over HTTP, then a journey through the pages: a person
signs in with password and authenticator code, raises a case, records the step and
escalates it, the same escalation sent to both web processes at once (one goes through, the
other is told the case changed); the deadline sweep sent through the broker, the workers
deliver every notification once; the pro forma PDF asked for, made by a worker, downloaded.
Then everything is stopped and the database dropped, also on failure (`make prod-smoke`,
docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import http.client
import http.cookies
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("SMOKE_PG", "postgresql://postgres@127.0.0.1:5432")
PORTS = (8310, 8311)
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))  # the journey reads the smoke database through Django


def get(port: int, path: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


# --- the journey over HTTP ------------------------------------------------------------------

PASSWORD = "resolve-smoke-pass-2026"


class Fields(HTMLParser):
    """The fields of a page's POST forms: name -> the values the page offers, first form
    first (hidden inputs keep their value; a text box offers "")."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.fields: dict[str, list[str]] = {}
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = (a.get("method") or "").lower() == "post"
        elif self.inside and tag == "select":
            self.select = a.get("name")
        elif self.inside and tag == "option" and self.select:
            if a.get("value"):
                self.fields.setdefault(self.select, []).append(a["value"] or "")
        elif (
            self.inside
            and tag in ("input", "textarea")
            and a.get("name")
            and a.get("type") not in ("submit", "button")
        ):
            self.fields.setdefault(a["name"] or "", []).append(a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None


class Browser:
    """A visitor keeping its cookies (also the Secure ones: the site is behind TLS, which the
    X-Forwarded-Proto header says), never following redirects, safe to share by threads."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def send(
        self, port: int, path: str, data: dict[str, Any] | None = None
    ) -> tuple[int, str, bytes]:
        """(status, Location, body)."""
        with self.lock:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {
            "X-Forwarded-Proto": "https",
            "Cookie": cookie,
            "Origin": f"https://127.0.0.1:{port}",
            "Referer": f"https://127.0.0.1:{port}{path}",
        }
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("POST" if data is not None else "GET", path, body, headers)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = http.cookies.SimpleCookie(header)
                with self.lock:
                    for key, morsel in jar.items():
                        self.cookies[key] = morsel.value
            return response.status, response.headers.get("Location", ""), content
        finally:
            connection.close()

    def get(self, port: int, path: str, expect: int = 200) -> str:
        status, location, content = self.send(port, path)
        assert status == expect, (path, status, location, content[-2000:])
        return location if expect == 302 else content.decode()

    def form(self, port: int, path: str) -> dict[str, list[str]]:
        parser = Fields()
        parser.feed(self.get(port, path))
        return parser.fields

    def submit(
        self, port: int, path: str, given: dict[str, Any], expect: int = 302
    ) -> tuple[int, str, bytes]:
        """The page's form, each field answered from `given` or with its first offer."""
        data = {name: given.get(name, offers[0]) for name, offers in self.form(port, path).items()}
        data.update({k: v for k, v in given.items() if k not in data})
        status, location, content = self.send(port, path, data)
        text = content.decode(errors="replace")
        summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', text, re.S)
        assert status == expect, (path, status, data, summary.group(1) if summary else text[-800:])
        return status, location, content


def path_of(location: str) -> str:
    """A redirect's address without scheme and host: the next request may go to either port."""
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def seed(env: dict[str, str]) -> Any:
    """A partnership adopting the OSCB children's policy, with a person in every role, each
    with a password and a confirmed authenticator app (production asks for both)."""
    os.environ.update({k: v for k, v in env.items() if k not in ("GUNICORN_BIND",)})
    import django

    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.two_factor import APP_DEVICE
    from escalation.models import Policy
    from tests.escalation.world import build_world

    world = build_world(policy=Policy.objects.get(slug="oscb-children"), code="SMK")
    for person in world.people.values():
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
        TOTPDevice.objects.create(user=person, name=APP_DEVICE, confirmed=True)
    return world


def code_for(user: Any) -> str:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def sign_in(user: Any, port: int) -> Browser:
    browser = Browser()
    given = {"username": user.username, "password": PASSWORD}
    location = browser.submit(port, "/sign-in/", given)[1]
    # The password is not enough: every page asks for the authenticator's code first.
    location = path_of(browser.get(port, path_of(location), expect=302))
    assert location.startswith("/account/two-factor/"), location
    browser.submit(port, location, {"code": code_for(user)})
    return browser


def wait_for(what: str, test: Callable[[], Any], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = test()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def journey(env: dict[str, str], folder: Path, check: Callable[[str], None]) -> None:
    """Raise, record, escalate (the same form sent to both web processes at once), sweep,
    notifications delivered once each, the pro forma PDF produced and downloaded."""
    world = seed(env)  # Django is set up from here on
    from django.db import connection
    from django.utils import timezone

    from agencies.enums import Role
    from escalation.models import Case, CaseStep
    from notifications.enums import Event, OutboxStatus
    from notifications.models import OutboxMessage
    from proforma.forms import WHOLE

    raiser = world.person("challenging", Role.PRACTITIONER)
    one, two = PORTS
    browser = sign_in(raiser, one)
    assert "Sign in" not in browser.get(one, "/")
    browser.get(two, "/")
    check(f"signed in with password and authenticator code; work queue 200 on :{one} and :{two}")

    given = {
        "route": "standard",
        "responding_agency": world.responding.pk,
        "responding_professional": "A. Social Worker, duty team",
        "responding_person": world.person("responding", Role.PRACTITIONER).pk,
        "subject_kind": "child",
        "subject_initials": "jd",
        "subject_age_band": "5-10",
        "challenging_record_number": "H-123",
        "responding_record_number": "",
        "category": "criteria-for-referrals",
        "disagreement": "The referral was closed without an assessment.",
        "impact": "JD is left without support at home.",
        "risk": "no",
        "due_day": "",
        "due_month": "",
        "due_year": "",
        "due_time": "",
    }
    url = path_of(browser.get(one, "/raise/", expect=302))
    for number in range(25):
        port = PORTS[number % 2]  # the pages alternate between the two web processes
        if url.rstrip("/").endswith("/check"):
            break
        url = path_of(browser.submit(port, url, given)[1])
    else:
        raise AssertionError(f"the raising pages never reached the check page: {url}")
    done = path_of(browser.submit(two, url, {})[1])
    case = Case.objects.get()
    assert case.reference in browser.get(one, done)
    check(f"case {case.reference} raised through the raising pages")

    base = f"/cases/{case.reference}"
    record = {
        n: "Both agencies set out their concerns."
        for n in browser.form(one, f"{base}/record/")
        if n.startswith("part_") and not re.search(r"_(day|month|year)$", n)
    }
    browser.submit(one, f"{base}/record/", {**record, "meeting_held": "yes", "outcome": "escalate"})
    case.refresh_from_db()
    assert case.current_step.recorded_at is not None
    check(f"step {case.current_step.number} outcome recorded through the record page")

    fields = browser.form(one, f"{base}/escalate/")
    data = {n: v[0] for n, v in fields.items()} | {"reason": "No reply within the timescale."}
    assert data["version"] == str(case.version), (data, case.version)
    before = (case.current_step.number, case.history.count(), case.steps.count())
    answers: list[tuple[int, bytes]] = []
    barrier = threading.Barrier(2)

    def escalate(port: int) -> None:
        barrier.wait()
        status, _, content = browser.send(port, f"{base}/escalate/", data)
        answers.append((status, content))

    threads = [threading.Thread(target=escalate, args=(port,)) for port in PORTS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in answers)
    assert statuses == [302, 409], statuses
    refused = next(content.decode() for status, content in answers if status == 409)
    assert "This case changed since you opened it" in refused
    case.refresh_from_db()
    assert case.current_step.number == before[0] + 1, (case.current_step.number, before)
    assert case.steps.count() == before[2] + 1, (case.steps.count(), before)
    assert case.history.count() == before[1] + 1, (case.history.count(), before)
    check(
        f"the same escalation sent to :{one} and :{two} at once: {statuses[0]} and"
        f" {statuses[1]} (this case changed), one step on, one history row"
    )

    # The sweep: the new step made overdue, the sweep sent through the broker to the workers.
    from agencies.selectors import partnership_working_hours
    from config.celery import app

    step = case.current_step
    CaseStep.objects.filter(pk=step.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    for _ in PORTS:  # twice, so that both workers may sweep at once: each alert written once
        app.send_task("notifications.sweep")
    if partnership_working_hours(partnership=world.partnership).is_open(timezone.now()):
        overdue = wait_for(
            "the sweep's overdue alerts",
            lambda: list(OutboxMessage.objects.filter(step=step, event=Event.STEP_OVERDUE)),
        )
        check(f"sweep through the broker wrote {len(overdue)} overdue alerts")
    else:
        print("--  outside the partnership's working hours: the sweep writes nothing now")

    def settled() -> list[Any]:
        rows = list(OutboxMessage.objects.all())
        due = [r for r in rows if r.not_before is None or r.not_before <= timezone.now()]
        return rows if due and all(r.status != OutboxStatus.PENDING for r in due) else []

    rows = wait_for("the outbox delivered", settled)
    sent = [r for r in rows if r.status == OutboxStatus.SENT]
    mail = folder / "mail"
    keys = Counter(
        line.split(":", 1)[1].strip()
        for path in (mail.iterdir() if mail.exists() else [])
        for line in path.read_text(errors="replace").splitlines()
        if line.startswith("X-Resolve-Outbox-Key:")
    )
    assert sent, [(r.key, r.status) for r in rows]
    assert all(count == 1 for count in keys.values()), [k for k, c in keys.items() if c > 1]
    mailed = [r for r in sent if r.recipient.email]
    assert all(keys[r.key] == 1 for r in mailed), [r.key for r in mailed if keys[r.key] != 1]
    assert set(keys) <= {r.key for r in sent}
    check(
        f"{len(sent)} notifications sent by the workers, {len(keys)} e-mails in the mail folder, each outbox key once"
    )

    # The pro forma: asked for through its page, made by a worker, downloaded.
    location = path_of(browser.submit(two, f"/cases/{case.reference}/pdf/", {"part": WHOLE})[1])
    assert "/pdf/jobs/" in location, location
    link = wait_for(
        "the PDF",
        lambda: re.search(
            rf"/cases/{case.reference}/pdf/\d+/download/", browser.get(one, location)
        ),
    )
    status, _, content = browser.send(two, link.group(0))
    assert status == 200 and content.startswith(b"%PDF"), (status, content[:100])
    check(f"pro forma PDF made by a worker and downloaded ({len(content)} bytes, %PDF)")
    connection.close()


def main() -> int:
    started = time.monotonic()
    name = f"resolve_smoke_{uuid.uuid4().hex[:8]}"
    folder = Path(tempfile.mkdtemp(prefix="resolve-smoke-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"{PG}/{name}",
        "CELERY_BROKER_URL": os.environ.get("SMOKE_BROKER", "redis://127.0.0.1:6379/12"),
        "RESOLVE_CACHE_URL": "redis://127.0.0.1:6379/13",
        "DEBUG": "false",
        "RESOLVE_HTTPS": "true",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "RESOLVE_REQUIRE_SECRET_KEY": "1",
        "RESOLVE_LOG_FORMAT": "json",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "GUNICORN_WORKERS": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(folder / "mail"),
        "MEDIA_ROOT": str(folder / "media"),
        "CELERY_BEAT_SCHEDULE_FILENAME": str(folder / "celerybeat-schedule"),
    }
    processes: list[subprocess.Popen[bytes]] = []
    checks = 0
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        for command in (["migrate", "--no-input", "-v0"], ["load_policies"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
        log = open(folder / "processes.log", "wb")  # noqa: SIM115 (closed with the processes)
        for port in PORTS:
            processes.append(
                subprocess.Popen(
                    [str(BIN / "gunicorn"), "config.wsgi", "-c", "config/gunicorn.conf.py"],
                    cwd=ROOT,
                    env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            )
        for number in (1, 2):
            processes.append(
                subprocess.Popen(
                    [
                        str(BIN / "celery"),
                        "-A",
                        "config",
                        "worker",
                        "-l",
                        "WARNING",
                        "-c",
                        "1",
                        "-n",
                        f"smoke{number}-{name}@%h",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            )
        processes.append(
            subprocess.Popen(
                [str(BIN / "celery"), "-A", "config", "beat", "-l", "WARNING"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        )
        for port in PORTS:
            deadline = time.monotonic() + 30
            while True:
                try:
                    status, body = get(port, "/health/")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            assert (status, body) == (200, {"status": "ok"}), (port, status, body)
            print(f"ok  web :{port} /health/ 200")
            checks += 1
            status, body = get(port, "/ready/")
            assert status == 200 and body["checks"] == {"database": "ok", "broker": "ok"}, body
            print(f"ok  web :{port} /ready/ 200 (database and broker)")
            checks += 1
        alive = [process.poll() is None for process in processes]
        assert all(alive), f"a process ended early: {alive}"
        print(f"ok  {len(processes)} processes running (2 web, 2 workers, 1 beat)")
        checks += 1

        def check(line: str) -> None:
            nonlocal checks
            print(f"ok  {line}")
            checks += 1

        journey(env, folder, check)
    except BaseException as error:
        print(f"FAILED after {checks} checks: {error!r}")
        traceback.print_exc()
        print(
            (folder / "processes.log").read_text()[-3000:]
            if (folder / "processes.log").exists()
            else ""
        )
        return 1
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"{checks} checks passed in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
