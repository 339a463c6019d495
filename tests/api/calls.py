"""What the API tests share: a client with a person's token, and the shape of a problem."""

from __future__ import annotations

from typing import Any

from django.test import Client

from api.tokens import token_create

PROBLEM = "application/problem+json"


def api(user: Any) -> Client:
    """A client that sends a new token of the person's, as a script would."""
    _, text = token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}")


def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem details (RFC 9457) of a refused request, checked for their shape."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"] and "type" in body
    return dict(body)
