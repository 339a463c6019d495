"""The live schema, exercised by schemathesis as a practitioner and as board staff, each with a
token: generated requests to every operation never get a server error, and every response
conforms to the schema. derandomize: the same examples every run."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import response_schema_conformance

from agencies.enums import Role
from api.tokens import token_create
from tests.escalation.world import build_world

pytestmark = pytest.mark.django_db


# Every operation of the schema; a new endpoint changes this number and is exercised here.
OPERATIONS = 18


@pytest.mark.parametrize(
    ("side", "role"),
    [("challenging", Role.PRACTITIONER), ("board", Role.BOARD_STAFF)],
    ids=["practitioner", "board-staff"],
)
def test_generated_requests_get_no_server_error_and_conform(client, presets, side, role):
    world = build_world(policy=presets["oscb-children"], code="OXF")
    world.raise_case()
    person = world.person(side, role)
    client.force_login(person)
    raw = client.get("/api/schema/", {"format": "json"}).json()
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = get_wsgi_application()
    _, text = token_create(user=person)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == OPERATIONS
    seen: dict[str, list[int]] = {}

    @settings(
        max_examples=8,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def call(operation: Any, data: st.DataObject) -> None:
        generated = data.draw(operation.as_strategy())
        response = generated.call(headers={"Authorization": f"Bearer {text}"})
        assert response.status_code < 500, (generated.path, response.status_code)
        seen.setdefault(operation.label, []).append(response.status_code)
        generated.validate_response(response, checks=[response_schema_conformance])

    # As Django's test client does: the test's transaction stays open across the requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        for operation in operations:
            call(operation)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert len(seen) == OPERATIONS
    assert all(code < 500 for codes in seen.values() for code in codes)
