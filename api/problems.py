"""Problem details (RFC 9457) for every refusal of the API, and the domain's errors mapped to
the statuses the pages use: a refused transition 409, a stale version 412, a person who may
not act 403, a case they may not see 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from escalation.errors import InvalidInput, InvalidTransition, NotAllowed, StaleCase
from escalation.models import Case

PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Not possible now",
    412: "The case has changed",
    415: "Unsupported media type",
    428: "If-Match required",
    429: "Too many requests",
}
STALE = "The case has changed since you read it: read it again."


def problem(
    status_code: int,
    detail: str,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, content_type=PROBLEM, headers=headers)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail as {field: [messages]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "detail" if key == "non_field_errors" else str(key)
            out.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(d, (dict, list)) for d in detail):
            return {prefix or "detail": [str(d) for d in detail]}
        out = {}
        for i, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}.{i}" if prefix else str(i)))
        return out
    return {prefix or "detail": [str(detail)]}


def _refused_input(context: dict[str, Any]) -> str:
    """A read is refused as a read: it had nothing to save."""
    request = context.get("request")
    if request is not None and request.method in ("GET", "HEAD", "OPTIONS"):
        return "Correct what is shown."
    return "Nothing was saved: correct what is shown."


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StaleCase):
        return problem(412, STALE)
    if isinstance(exc, InvalidTransition):
        return problem(409, exc.message)
    if isinstance(exc, NotAllowed):
        return problem(403, exc.message)
    if isinstance(exc, InvalidInput):
        return problem(400, _refused_input(context), errors={exc.field or "detail": [exc.message]})
    if isinstance(exc, (Case.DoesNotExist, Http404)):
        return problem(404, "No such case.")
    if isinstance(exc, PermissionDenied):
        return problem(403, "You may not do this to this case.")
    if isinstance(exc, exceptions.ValidationError):
        return problem(400, _refused_input(context), errors=_flatten(exc.detail))
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After")}
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = "Bearer"
    return problem(response.status_code, str(detail), headers=headers)
