"""The pages under load: the work queue, the board case list and a case page, each as a ratio
of a bare Django view's requests per second on the same server (goal: at least 0.5), and the
SQL queries each page makes for a person with 10 cases and one with 10,000 (goal: the same).

Seeds the bench database first (bench/seed.py: 50 partnerships, 100,000 cases, and the
archive's closed cases that bring the steps to 1,000,000; skipped when already there). Then starts gunicorn as production runs it (config.wsgi, DEBUG off, a
SECRET_KEY, DATABASE_CONN_MAX_AGE=60, 2 sync workers) with the bench's URLs
(bench/settings.py: the product's and a bare view at /bench/bare/), two-factor sign-in
waived, on 127.0.0.1:8321. A second process (bench/loadclient.py) sends GETs over loopback
from several threads on keep-alive connections for a few seconds per page, signed in with a
session made here. The bare view is measured before, between and after the pages; its median
is the baseline. Gunicorn is always stopped.

Figures: pages_bare_rps; pages_<page>_rps and pages_<page>_ratio for queue_many (the work
queue of the practitioner with 10,000 cases), queue_typical (one with about 750), board_cases
(board staff of the partnership with 10,000 cases) and case_page; pages_<page>_queries_10 and
pages_<page>_queries_10k for queue, board_cases and case_page; pages_seed_s (seconds the seed
took in this run: near nothing when it was already there), pages_seed_fresh_s (the last
seed from nothing), and the seed's pages_seed_cases, pages_seed_archive_cases and
pages_seed_steps.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

PORT = 8321
SECONDS = 5.0
THREADS = 4
WORKERS = 2
ROOT = Path(__file__).resolve().parent.parent


def _session_cookie(user: Any) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _gunicorn() -> subprocess.Popen[bytes]:
    from django.conf import settings

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,  # the bench's own (bench/__main__.py)
        "RESOLVE_TWO_FACTOR": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_CONN_MAX_AGE": "60",
        "WHITENOISE_USE_FINDERS": "true",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--access-logfile",
            "/dev/null",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def _wait_up(server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/bare/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _load(path: str, cookie: str) -> float:
    # Warm both workers (imports, templates, connections) before measuring.
    _client(path, cookie, 1.0)
    return _client(path, cookie, SECONDS)


def _client(path: str, cookie: str, seconds: float) -> float:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "loadclient.py"),
            str(PORT),
            path,
            cookie,
            str(seconds),
            str(THREADS),
        ],
        capture_output=True,
        check=True,
        text=True,
    )
    result = json.loads(out.stdout)
    if result["bad"]:
        raise RuntimeError(f"{path} answered {result['bad']}")
    return float(result["rps"])


def _queries(user: Any, path: str) -> int:
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    with override_settings(RESOLVE_TWO_FACTOR=False):
        client.get(path)  # warm: anything cached per process
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def _case_with_most_steps(user: Any, steps: int | None = None) -> tuple[str, int]:
    from django.db.models import Count

    from escalation.queries.cases import case_list_for_user

    cases = case_list_for_user(user=user).annotate(n=Count("steps")).order_by("-n", "pk")
    if steps is not None:
        cases = cases.filter(n=steps)
    case = cases.values("reference", "n").first()
    assert case is not None
    return case["reference"], case["n"]


def run() -> dict[str, float]:
    from bench import seed
    from bench.seed import person

    seeded = seed.seed()
    print(
        f"   seed: {seeded.partnerships} partnerships, {seeded.cases:,} cases "
        f"(and {seeded.archive_cases:,} in the archive), {seeded.steps:,} steps, "
        f"{seeded.seconds:.1f} s" + ("" if seeded.created else " (already there)")
    )
    many, few, board, board_few = (person(k) for k in ("many", "few", "board", "board-few"))
    typical = _typical()
    few_case, steps = _case_with_most_steps(few)
    many_case, _ = _case_with_most_steps(many, steps)

    figures: dict[str, float] = {
        "pages_seed_s": seeded.seconds,
        "pages_seed_cases": float(seeded.cases),
        "pages_seed_archive_cases": float(seeded.archive_cases),
        "pages_seed_steps": float(seeded.steps),
    }
    if seeded.created:  # kept in results.json until the next seed from nothing
        figures["pages_seed_fresh_s"] = seeded.seconds
    for name, (small_user, large_user, small_path, large_path) in {
        "queue": (few, many, "/", "/"),
        "board_cases": (board_few, board, "/board/cases/", "/board/cases/"),
        "case_page": (few, many, f"/cases/{few_case}/", f"/cases/{many_case}/"),
    }.items():
        figures[f"pages_{name}_queries_10"] = float(_queries(small_user, small_path))
        figures[f"pages_{name}_queries_10k"] = float(_queries(large_user, large_path))
    print(f"   case pages compared: {few_case} and {many_case}, {steps} steps each")

    pages = {
        "queue_many": (many, "/"),
        "queue_typical": (typical, "/"),
        "board_cases": (board, "/board/cases/"),
        "case_page": (many, f"/cases/{many_case}/"),
    }
    cookies = {id(u): _session_cookie(u) for u, _ in pages.values()}
    server = _gunicorn()
    try:
        _wait_up(server)
        bare_cookie = cookies[id(many)]
        _client("/bench/bare/", bare_cookie, 3.0)  # the workers' first seconds
        bares = [_load("/bench/bare/", bare_cookie)]
        rps = {}
        for name, (user, path) in pages.items():
            rps[name] = _load(path, cookies[id(user)])
            if name == "queue_typical":
                bares.append(_load("/bench/bare/", bare_cookie))
        bares.append(_load("/bench/bare/", bare_cookie))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    bare = statistics.median(bares)
    print(f"   bare view (before, between, after): {', '.join(f'{b:.0f}' for b in bares)} /s")
    figures["pages_bare_rps"] = bare
    for name, value in rps.items():
        figures[f"pages_{name}_rps"] = value
        figures[f"pages_{name}_ratio"] = value / bare
    return figures


def _typical() -> Any:
    """The police practitioner of the third partnership (about 750 cases)."""
    from django.contrib.auth import get_user_model

    from bench.seed import CODE, _code

    return get_user_model().objects.get(username=f"{CODE}-{_code(2)}-police")
