"""The OpenAPI schema and its docs page: for signed-in people, and within the CSP."""

import re

import pytest
from django.urls import reverse

from agencies.enums import Role
from tests.escalation.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def practitioner(presets):
    world = build_world(policy=presets["oscb-children"], code="OXF")
    return world.person("challenging", Role.PRACTITIONER)


def test_the_schema_is_openapi_3(client, practitioner):
    client.force_login(practitioner)
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert response.json()["info"]["title"] == "Resolve API"


def test_the_docs_page_loads_only_our_own_assets(client, practitioner):
    client.force_login(practitioner)
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    # Nothing inline, which the policy would block; every script and sheet is ours.
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    script = next(s for s in sources if "script=" in s)
    init = client.get(script.replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in init.content.decode()


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    for name in ("api:schema", "api:docs"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_read_only_endpoints_are_in_the_schema_with_their_parameters(client, practitioner):
    client.force_login(practitioner)
    paths = client.get(reverse("api:schema"), {"format": "json"}).json()["paths"]
    wanted = {
        "/api/v1/policies/": set(),
        "/api/v1/policies/{slug}/": {"slug"},
        "/api/v1/policies/{slug}/timeline/": {"slug", "nation", "start", "route", "risk"},
        "/api/v1/notifications/": {"page", "unread"},
        "/api/v1/report/": {
            "partnership",
            "raised_from",
            "raised_to",
            "policy",
            "agency",
            "other_agency",
            "category",
            "route",
            "step_reached",
            "risk",
            "outcome",
            "theme",
        },
    }
    for path, parameters in wanted.items():
        operation = paths[path]
        assert set(operation) == {"get"}, path  # read-only
        assert {p["name"] for p in operation["get"].get("parameters", [])} == parameters, path
