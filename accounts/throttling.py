"""Who is signing in from where: the address that django-axes counts failures against.

Behind a reverse proxy every request comes from the proxy; the client's own address is the
one the proxy appended to X-Forwarded-For. RESOLVE_PROXY_COUNT says how many proxies of ours
stand in front of Resolve (0 in the demo: REMOTE_ADDR is the client). Addresses a client
wrote into the header itself, to the left of ours, are never believed.
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    proxies = settings.RESOLVE_PROXY_COUNT
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        # Not through all of our proxies: the nearest address we know is the only honest one.
        return forwarded[0] if forwarded else remote
    return forwarded[-proxies]
