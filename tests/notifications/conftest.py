"""Fixtures for the outbox, the sweep and the workers.

The worker fixtures start real processes: `celery -A config worker` against the test
database, and (for the "Redis down" test) a redis-server of the test's own on another port,
so that the machine's shared Redis is never stopped. Each xdist worker uses its own Redis
database number and port, so parallel runs never share a queue.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from agencies.enums import Role
from agencies.models import Membership
from notifications.enums import OutboxStatus
from notifications.models import OutboxMessage
from notifications.services import outbox_deliver
from tests.escalation.world import World, build_world

ROOT = Path(__file__).resolve().parents[2]
REDIS_HOST = "127.0.0.1"
SHARED_REDIS_PORT = 6379


def wait_for(predicate: Callable[[], Any], *, timeout: float, every: float = 0.1) -> Any:
    """Poll until predicate() is truthy; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout}s waiting for {predicate}")
        time.sleep(every)


def give_line_managers(world: World) -> World:
    """Practitioner -> line manager -> senior manager, in each agency of the world."""
    for where in ("challenging", "responding", "unrelated"):
        practitioner, manager, senior = (
            Membership.objects.get(user=world.person(where, role))
            for role in (Role.PRACTITIONER, Role.LINE_MANAGER, Role.SENIOR_MANAGER)
        )
        practitioner.line_manager = manager
        practitioner.save()
        manager.line_manager = senior
        manager.save()
    return world


@pytest.fixture
def england(presets) -> World:
    """OSCB (England, 5 working days a step) with line managers named."""
    return give_line_managers(build_world(policy=presets["oscb-children"], code="ENG"))


@pytest.fixture
def scotland(presets) -> World:
    """4LSCB (Scotland: St Andrew's Day is a bank holiday) with line managers named."""
    return give_line_managers(
        build_world(policy=presets["4lscb-children"], nation="scotland", code="SCO")
    )


def deliver_pending() -> list[str]:
    """Deliver every pending row in this process, as a worker would."""
    ids = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [outbox_deliver(outbox_id=pk) for pk in list(ids)]


# --- real processes --------------------------------------------------------------------------


def _xdist_index() -> int:
    """0 without xdist; n for xdist's worker gw<n>."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else 0


@pytest.fixture
def redis_db() -> Iterator[int]:
    """A database number of the shared Redis for this xdist worker, emptied before and after."""
    import redis

    number = 12 + _xdist_index()
    client = redis.Redis(host=REDIS_HOST, port=SHARED_REDIS_PORT, db=number)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(
            f"Redis is not running at {REDIS_HOST}:{SHARED_REDIS_PORT}: start it (.ci/run shows how)"
        )
    client.flushdb()
    yield number
    client.flushdb()


@contextlib.contextmanager
def broker(url: str) -> Iterator[None]:
    """Point this process's Celery app (what the pages and services publish to) at url.

    Celery reads the CELERY_BROKER_URL environment variable before its configuration
    (`make test` sets it to memory://), so both are pointed at url for the while.
    """
    from config.celery import app

    before = (app.conf.broker_url, app.conf.broker_transport_options)
    before_env = os.environ.get("CELERY_BROKER_URL")
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"socket_connect_timeout": 2}
    os.environ["CELERY_BROKER_URL"] = url
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = before
        if before_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = before_env


def database_url_of_tests() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """`celery -A config worker` in its own process group, logging to a file."""

    def __init__(self, *, broker_url: str, mail_dir: Path, log: Path, concurrency: int = 2):
        self.broker_url = broker_url
        self.mail_dir = mail_dir
        self.log = log
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url_of_tests(),
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "notifications.mail.KeyedFileBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "RESOLVE_OUTBOX_STALE_SECONDS": "3",
            "DATABASE_CONN_MAX_AGE": "60",  # as in production: no new connection per task
        }
        name = f"test-{uuid.uuid4().hex[:8]}@%h"
        started_at = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--loglevel=INFO",
                    f"--concurrency={self.concurrency}",
                    "--pool=prefork",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-n",
                    name,
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: one signal reaches all
            )

        def ready() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited: {self.log.read_text()[-3000:]}")
            text = self.log.read_bytes()[started_at:]
            return b" ready." in text

        wait_for(ready, timeout=60, every=0.2)
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once: no chance to finish anything."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


def mail_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.eml"))


@pytest.fixture
def start_worker(transactional_db, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Start workers (stopped before the test database is emptied)."""
    started: list[Worker] = []

    def start(*, broker_url: str, mail_dir: Path, concurrency: int = 2) -> Worker:
        worker = Worker(
            broker_url=broker_url,
            mail_dir=mail_dir,
            log=tmp_path / "worker.log",
            concurrency=concurrency,
        )
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((REDIS_HOST, port)) != 0


class OwnRedis:
    """A redis-server of the test's own, on its own port, that the test may stop."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port = port
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{REDIS_HOST}:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--bind",
                REDIS_HOST,
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: not _free(self.port), timeout=20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        wait_for(lambda: _free(self.port), timeout=20)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed")
    port = 6390 + _xdist_index()
    assert _free(port), f"port {port} is taken: another redis-server of a test is still running"
    server = OwnRedis(port, tmp_path)
    yield server
    server.stop()


@pytest.fixture
def quick_rescue(settings: Any) -> None:
    """The rescue job treats a pending row as stranded after 1 second (not 2 minutes)."""
    settings.RESOLVE_OUTBOX_STALE_SECONDS = 1
