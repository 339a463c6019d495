"""`make demo`: the web server, a Celery worker and Celery beat, together, with one command.

Each runs as a child process in its own process group. Ctrl-C (or SIGTERM) is passed to all
three, which are given a few seconds to stop before being killed; if one of them exits on its
own, the others are stopped too. The broker is the embedded default (kombu's filesystem
transport in var/broker), so nothing else needs to be running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ADDRESS = os.environ.get("RESOLVE_DEMO_ADDRESS", "127.0.0.1:8000")

COMMANDS: dict[str, list[str]] = {
    "web": [PYTHON, "manage.py", "runserver", ADDRESS, "--noreload"],
    # One process: the demo's SQLite file takes one writer at a time.
    "worker": [PYTHON, "-m", "celery", "-A", "config", "worker", "--pool=solo",
               "--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", "demo@%h"],
    "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
}  # fmt: skip

GRACE_SECONDS = 10
# The demo signs in with a password alone, so that a visitor can try every role; production
# requires the second factor (docs/security.md). RESOLVE_TWO_FACTOR=true tries it here too.
ENVIRONMENT = {**os.environ, "RESOLVE_TWO_FACTOR": os.environ.get("RESOLVE_TWO_FACTOR", "false")}


def _start() -> dict[str, subprocess.Popen[bytes]]:
    (ROOT / "var").mkdir(exist_ok=True)
    children = {}
    for name, command in COMMANDS.items():
        children[name] = subprocess.Popen(
            command, cwd=ROOT, env=ENVIRONMENT, start_new_session=True
        )
        print(f"run_demo: started {name} (pid {children[name].pid})", flush=True)
    return children


def _stop(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for name, child in children.items():
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            print(f"run_demo: {name} did not stop in time: killing it", flush=True)
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def main() -> int:
    stopping = {"signal": 0}

    def on_signal(signum: int, _frame: object) -> None:
        stopping["signal"] = signum

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    children = _start()
    print(
        f"run_demo: Resolve is at http://{ADDRESS}; e-mails are written as files to "
        f"{os.environ.get('EMAIL_FILE_PATH', 'var/mail')}. Ctrl-C stops all three.",
        flush=True,
    )
    code = 0
    try:
        while not stopping["signal"]:
            ended = [(n, c.returncode) for n, c in children.items() if c.poll() is not None]
            if ended:
                name, code = ended[0]
                print(f"run_demo: {name} exited ({code}): stopping the others", flush=True)
                code = code or 1
                break
            time.sleep(0.5)
    finally:
        _stop(children)
    print("run_demo: stopped", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
