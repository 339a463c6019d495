"""The deployment files: the compose file parses and has its services and health checks, and
gunicorn's settings load and read the environment. (No Docker engine here to run them.)"""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_compose_file_parses_with_one_beat_and_probed_web():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "release", "web", "worker", "beat"}
    assert services["web"]["command"][-1] == "config/gunicorn.conf.py"
    assert "/ready/" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert "deploy" not in services["beat"]  # never scaled: one beat
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["RESOLVE_LOG_FORMAT"] == "json"
        assert services[name]["environment"]["CELERY_BROKER_URL"] == "redis://redis:6379/0"


def test_the_dockerfile_probes_health_and_uses_the_gunicorn_settings():
    text = (ROOT / "Dockerfile").read_text()
    assert "/health/" in text
    assert '"-c", "config/gunicorn.conf.py"' in text


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.1")
    conf = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    assert conf["workers"] == 3
    assert conf["timeout"] == 45
    assert conf["forwarded_allow_ips"] == "10.0.0.1"
    access = json.loads(conf["access_log_format"])
    assert access["request_id"] == "%({x-request-id}o)s"
    assert access["status"] == "%(s)s"


def test_gunicorn_accepts_the_settings(monkeypatch):
    from gunicorn.config import Config

    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)

    config = Config()
    for key, value in runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py")).items():
        if key in config.settings:
            config.set(key, value)
    assert config.workers == 4
    assert config.forwarded_allow_ips == ["127.0.0.1"]
