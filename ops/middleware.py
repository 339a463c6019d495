"""The probes' shortcut and the request id."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse

from ops import logs, probes

PROBES = {"/health/": probes.health, "/ready/": probes.ready}


class ProbeMiddleware:
    """First in the chain: answers /health/ and /ready/ directly, so a load balancer probing
    over plain HTTP is neither sent to HTTPS nor to sign-in. The Host header is still checked
    against ALLOWED_HOSTS (request.get_host refuses an unknown one with 400)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        try:
            request.get_host()
        except DisallowedHost:
            return JsonResponse({"status": "refused", "reason": "unknown host"}, status=400)
        return probe(request)


SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Takes a sane X-Request-ID (letters, digits, dot, dash, underscore; at most 64) or makes
    one, puts it on every log record of the request and returns it in the response header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if SANE_REQUEST_ID.match(given) else uuid.uuid4().hex
        token = logs.request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            logs.request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response
