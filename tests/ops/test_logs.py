"""Structured logs: RESOLVE_LOG_FORMAT=json writes one JSON object a line with the request id,
read here from the real output of a process started with production settings."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from ops.logs import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parent.parent.parent

SCRIPT = """
import logging, django
django.setup()
import pytest
from django.test import Client
from django.urls import path
import config.urls as urls

def shout(request):
    from django.http import HttpResponse
    logging.getLogger("resolve.probe").warning("inside", extra={"case_count": 3})
    return HttpResponse("done")

urls.urlpatterns.append(path("shout/", shout))
response = Client().get("/shout/", HTTP_X_REQUEST_ID="abc-123")
logging.getLogger("resolve.probe").warning("outside")
print("HEADER", response["X-Request-ID"], flush=True)
"""


def run(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env_extra}
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_json_logs_carry_the_request_id_and_extra_fields():
    result = run({"RESOLVE_LOG_FORMAT": "json"})
    assert "HEADER abc-123" in result.stdout
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    inside = next(line for line in lines if line["message"] == "inside")
    assert inside["level"] == "WARNING"
    assert inside["logger"] == "resolve.probe"
    assert inside["request_id"] == "abc-123"
    assert inside["case_count"] == 3
    assert "time" in inside
    outside = next(line for line in lines if line["message"] == "outside")
    assert outside["request_id"] is None


def test_plain_logs_stay_the_default():
    result = run({"RESOLVE_LOG_FORMAT": "plain"})
    assert "WARNING resolve.probe inside" in result.stderr
    assert not any(line.startswith("{") for line in result.stderr.splitlines())


@pytest.mark.django_db
def test_a_sane_request_id_is_kept_and_an_insane_one_replaced(client: Client):
    kept = client.get("/health/", HTTP_X_REQUEST_ID="req.42_x-y")
    # The probes answer before the request id is set; an ordinary page carries it.
    page = client.get("/sign-in/", HTTP_X_REQUEST_ID="req.42_x-y")
    assert page["X-Request-ID"] == "req.42_x-y"
    replaced = client.get("/sign-in/", HTTP_X_REQUEST_ID="bad id\nwith newline" * 10)
    assert replaced["X-Request-ID"] != "bad id"
    assert len(replaced["X-Request-ID"]) == 32
    assert kept.status_code == 200


def test_the_formatter_writes_one_line_of_json():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "a\nb %s", ("c",), None)
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line)["message"] == "a\nb c"
