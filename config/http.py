"""The request type of a page that only a signed-in person reaches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request past login_required (or the admin's own sign-in): its user is a person, never
    the anonymous visitor. For the type checker only; Django builds the request as ever."""

    user: User


def signed_in(request: HttpRequest) -> User:
    """The person of a request that the admin site or login_required has already signed in;
    for methods whose signature Django fixes as HttpRequest."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionError("This page is for signed-in people only.")
    return user
