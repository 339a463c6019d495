"""The probes' addresses. ops.middleware.ProbeMiddleware answers them first, before any
redirect to HTTPS or to sign-in; these patterns name them (for reverse and the URL table)."""

from django.urls import path

from ops import probes

app_name = "ops"
urlpatterns = [
    path("health/", probes.health, name="health"),
    path("ready/", probes.ready, name="ready"),
]
