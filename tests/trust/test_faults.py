"""Faults: PostgreSQL drops the connection in the middle of a request.

A trigger ends the request's own database session just as the escalation writes the case's
history (the last write of the transition): the person gets the product's error page, and
nothing of the escalation is kept. (The worker killed with SIGKILL mid-sweep and
mid-delivery: tests/notifications/test_sweep.py and tests/notifications/test_worker.py.)
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from escalation.models import Case, CaseStep
from notifications.models import OutboxMessage
from tests.escalation.world import build_world

KILL = """
CREATE FUNCTION resolve_test_drop_connection() RETURNS trigger AS $$
BEGIN
    PERFORM pg_terminate_backend(pg_backend_pid());
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER resolve_test_drop_connection AFTER INSERT ON escalation_historicalcase
    FOR EACH ROW EXECUTE FUNCTION resolve_test_drop_connection();
"""
UNKILL = """
DROP TRIGGER IF EXISTS resolve_test_drop_connection ON escalation_historicalcase;
DROP FUNCTION IF EXISTS resolve_test_drop_connection();
"""


def _written(case: Case) -> tuple[int, int, int, int, int, int]:
    case.refresh_from_db()
    return (
        case.version,
        case.current_step.number,
        case.history.count(),
        CaseStep.objects.filter(case=case).count(),
        CaseStep.history.filter(case_id=case.pk).count(),
        OutboxMessage.objects.filter(case=case).count(),
    )


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_mid_escalation_gives_the_error_page_and_writes_nothing(presets):
    world = build_world(policy=presets["oscb-children"], code="FLT")
    case = world.raise_case()
    person = world.actor(case, "challenging")
    before = _written(case)
    browser = Client(raise_request_exception=False)
    browser.force_login(person)
    url = reverse("escalation:case_escalate", args=[case.reference])
    assert browser.get(url).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(KILL)
    try:
        response = browser.post(url, {"version": case.version, "reason": "No reply in time."})
    finally:
        connection.close()  # the request's session is gone; the next query opens a new one
        with connection.cursor() as cursor:
            cursor.execute(UNKILL)

    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with Resolve" in page
    assert "Nothing you sent has been lost or half-saved." in page
    for leak in ("Traceback", "OperationalError", "terminating connection", "psycopg"):
        assert leak not in page
    assert _written(case) == before
    # And the same escalation, sent again once the database is back, goes through.
    response = browser.post(url, {"version": case.version, "reason": "No reply in time."})
    assert response.status_code == 302
    assert _written(case)[:2] == (before[0] + 1, before[1] + 1)
