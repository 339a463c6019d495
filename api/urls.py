"""The REST API: its OpenAPI schema and docs; the versioned endpoints live under v1/."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

app_name = "api"

urlpatterns = [
    # Both are for signed-in people: the schema names every action a person can take.
    path("schema/", login_required(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
]
