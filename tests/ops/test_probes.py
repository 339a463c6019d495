"""The probes: /health/ and /ready/ answer without sign-in, before any redirect to HTTPS, keep
ALLOWED_HOSTS, and show no case data."""

from __future__ import annotations

import json
import socket

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.escalation.world import build_world


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_probes_have_their_addresses():
    assert reverse("ops:health") == "/health/"
    assert reverse("ops:ready") == "/ready/"


@pytest.mark.django_db
def test_health_answers_ok_without_sign_in(client: Client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_touches_no_database(client: Client):
    # Not marked django_db: any query would raise.
    response = client.get("/health/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_ready_checks_the_database_and_the_broker(client: Client):
    response = client.get("/ready/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_ready_names_the_broker_when_it_is_unreachable(client: Client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/ready/")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("failed")


@pytest.mark.django_db(transaction=True)
def test_ready_names_the_database_when_it_is_unreachable(client: Client):
    # The default connection pointed at a port where nothing listens, for this one request.
    address = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(closed_port())
    try:
        response = client.get("/ready/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = address
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "failed: OperationalError"
    assert body["checks"]["broker"] == "ok"
    # The database is back for the next request.
    assert client.get("/ready/").status_code == 200


@pytest.mark.django_db
def test_the_probes_are_not_sent_to_https_or_sign_in(client: Client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/").status_code == 200
    assert client.get("/ready/").status_code == 200
    # Any other address is still sent to HTTPS.
    assert client.get("/").status_code == 301


@pytest.mark.django_db
def test_the_probes_keep_allowed_hosts(client: Client):
    assert client.get("/health/", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/ready/", HTTP_HOST="evil.example").status_code == 400


@pytest.mark.django_db
def test_the_probes_carry_no_case_data(client: Client, presets):
    world = build_world(policy=presets["oscb-children"], code="OXF")
    case = world.raise_case(risk_of_significant_harm=True)
    for address in ("/health/", "/ready/"):
        text = client.get(address).content.decode()
        assert case.reference not in text
        assert set(json.loads(text)) <= {"status", "checks", "failed"}
