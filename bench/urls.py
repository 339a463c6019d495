"""The product's URLs and, at /bench/bare/, the least a Django view can do: the baseline the
page benches divide by (the same server, middleware and session, no query of our own)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("config.urls")),
]
