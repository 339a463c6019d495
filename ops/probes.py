"""The liveness and readiness probes (docs/operations.md, "Probes and logs").

/health/ says the process answers and touches nothing else; /ready/ checks the database with
a query and the broker with a connection, and names the check that failed. Neither shows any
case data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 2


def health(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No database, no broker."""
    return JsonResponse({"status": "ok"})


def _database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "not ready", named below
        return type(error).__name__
    return None


def _broker() -> str | None:
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:
        return type(error).__name__
    return None


def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 with each check, or 503 naming the one that failed."""
    checks = {}
    failed = []
    for name, check in (("database", _database), ("broker", _broker)):
        problem = check()
        checks[name] = "ok" if problem is None else f"failed: {problem}"
        if problem is not None:
            failed.append(name)
    body: dict[str, object] = {"status": "ok" if not failed else "unavailable", "checks": checks}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)
