"""The production processes started here with production settings: a fresh database,
migrations and policies, two gunicorn web processes, two Celery workers and one beat; each
web process's probes are checked over HTTP, then everything is stopped and the database
dropped, also on failure (`make prod-smoke`, docs/operations.md)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("SMOKE_PG", "postgresql://postgres@127.0.0.1:5432")
PORTS = (8310, 8311)
BIN = Path(sys.executable).parent


def get(port: int, path: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def main() -> int:
    started = time.monotonic()
    name = f"resolve_h2_smoke_{uuid.uuid4().hex[:8]}"
    folder = Path(tempfile.mkdtemp(prefix="resolve-smoke-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"{PG}/{name}",
        "CELERY_BROKER_URL": os.environ.get("SMOKE_BROKER", "redis://127.0.0.1:6379/12"),
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
    except BaseException as error:
        print(f"FAILED after {checks} checks: {error!r}")
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
