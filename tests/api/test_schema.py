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
