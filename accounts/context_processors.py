from django.http import HttpRequest

from .middleware import idle_limit_seconds


def idle_warning(request: HttpRequest) -> dict[str, int]:
    """How long a signed-in page may sit idle, for the warning before signing out."""
    user = getattr(request, "user", None)  # absent on a request refused before authentication
    if user is None or not user.is_authenticated:
        return {}
    return {"session_idle_seconds": idle_limit_seconds()}
