"""Every address of the product, in one table: who it refuses, and how.

A new page or endpoint must join the table (the first test fails until it does), so none
ships without a permission test. For each address: a signed-out visitor is sent to sign in;
a person of an agency that is not party to the case (the same partnership's police) gets
404 for anything of a case, a draft, a notification, a PDF or an export job that is not
theirs, and 403 or 404 for a page of a role they do not hold; never data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agencies.enums import Role
from notifications.models import Notification, OutboxMessage
from notifications.services import outbox_deliver
from proforma.services import proforma_queue_record, proforma_render
from reports.selectors import ReportFilters
from reports.services import export_request
from tests.escalation.world import World, build_world

PUBLIC = {"login", "logout"}


@dataclass(frozen=True)
class Address:
    """How to reach the address with the things of the case, and what an outsider gets."""

    args: tuple[str, ...]  # names of things in the `things` fixture
    outsider: tuple[int, ...]  # the status codes an outsider may get, on GET and on POST
    post: bool = False  # the address takes POST too (a form or an action)
    post_only: bool = False  # GET is refused with 405 (an action with no page)


CASE = ("reference",)
REFUSED = (404,)
NOT_THEIR_ROLE = (403, 404)
TABLE: dict[str, Address] = {
    # The case and its actions.
    "escalation:case": Address(CASE, REFUSED),
    "escalation:case_record": Address(CASE, REFUSED, post=True),
    "escalation:case_escalate": Address(CASE, REFUSED, post=True),
    "escalation:case_skip": Address(CASE, REFUSED, post=True),
    "escalation:case_resolve": Address(CASE, REFUSED, post=True),
    "escalation:case_withdraw": Address(CASE, REFUSED, post=True),
    "escalation:case_reassign": Address(CASE, REFUSED, post=True),
    "escalation:case_set_due": Address(CASE, REFUSED, post=True),
    "escalation:case_target": Address(CASE, REFUSED, post=True),
    # Someone else's raising, by its draft's address.
    "escalation:raise_check": Address(("draft",), REFUSED, post=True),
    "escalation:raise_done": Address(("draft",), REFUSED),
    "escalation:raise_question": Address(("draft", "question"), REFUSED, post=True),
    "escalation:raise_not_for": Address(("draft", "matter"), REFUSED),
    "escalation:raise_refused": Address(("draft", "question", "option"), REFUSED),
    "escalation:raise_page": Address(("draft", "page"), REFUSED, post=True),
    # Pages of roles the outsider (a practitioner) does not hold.
    "escalation:overdue": Address((), NOT_THEIR_ROLE),
    "escalation:board_cases": Address((), NOT_THEIR_ROLE),
    "reports:report": Address((), NOT_THEIR_ROLE),
    "reports:export": Address((), NOT_THEIR_ROLE, post=True, post_only=True),
    # Someone else's export, PDFs and notification.
    "reports:export_job": Address(("export",), REFUSED),
    "reports:export_download": Address(("export",), REFUSED),
    "proforma:list": Address(CASE, REFUSED, post=True),
    "proforma:job": Address(("reference", "render_job"), REFUSED),
    "proforma:download": Address(("reference", "pdf"), REFUSED),
    "notifications:mark_read": Address(("notification",), REFUSED, post=True, post_only=True),
    # Everyone's own: open to any signed-in person, showing only their own things.
    "escalation:home": Address((), (200,)),
    "escalation:raise": Address((), (302,)),  # starts their own draft
    "escalation:policies": Address((), (200,)),
    "escalation:policy": Address(("policy",), (200,)),
    "escalation:policy_timeline": Address(("policy",), (200,)),
    "notifications:inbox": Address((), (200,)),
    "notifications:mark_all_read": Address((), (302,), post=True, post_only=True),
    "proforma:check": Address((), (200,), post=True),
}


def product_url_names() -> set[str]:
    """Every named address outside the Django admin (which is for platform administrators
    and shows no case content: tests/agencies/test_admin.py)."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_address_is_in_the_permission_table():
    assert product_url_names() - PUBLIC == set(TABLE)


@pytest.fixture
def oscb(presets) -> World:
    return build_world(policy=presets["oscb-children"], code="OXF")


@pytest.fixture
def things(oscb, settings, tmp_path) -> dict[str, Any]:
    """A case of the OSCB world with a PDF, a whole-record job, a notification, an export job
    and a raising in progress, all of people who are party to it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    case = oscb.raise_case()
    raiser = case.raised_by
    pdf = proforma_render(case=case, section=1, by=raiser)
    render_job = proforma_queue_record(case=case, by=raiser)
    for row in OutboxMessage.objects.filter(case=case):
        outbox_deliver(outbox_id=row.pk)
    notification = Notification.objects.filter(case=case).first()
    assert notification is not None
    board = oscb.person("board", Role.BOARD_STAFF)
    export = export_request(
        by=board, partnership=oscb.partnership, filters=ReportFilters(), fmt="csv"
    )
    owner = Client()
    owner.force_login(raiser)
    first = owner.get(reverse("escalation:raise"))
    assert first.status_code == 302
    draft = first.url.strip("/").split("/")[1]
    return {
        "reference": case.reference,
        "draft": draft,
        "question": "attended",
        "option": "no",
        "matter": "gaps-in-provision",
        "page": "route",
        "export": str(export.pk),
        "render_job": str(render_job.pk),
        "pdf": str(pdf.pk),
        "notification": str(notification.pk),
        "policy": case.policy_version.policy.slug,
    }


def _url(name: str, things: dict[str, Any]) -> str:
    return reverse(name, args=[things[a] for a in TABLE[name].args])


@pytest.mark.parametrize("name", sorted(TABLE))
def test_a_signed_out_visitor_is_sent_to_sign_in(client, things, name):
    url = _url(name, things)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    if TABLE[name].post:
        response = client.post(url, {})
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(TABLE))
def test_a_person_of_an_agency_not_party_gets_no_data(client, oscb, things, name):
    outsider = oscb.person("unrelated", Role.PRACTITIONER)
    client.force_login(outsider)
    url = _url(name, things)
    expected = TABLE[name].outsider
    response = client.get(url)
    if TABLE[name].post_only:
        assert response.status_code == 405, (url, response.status_code)
    else:
        assert response.status_code in expected, (url, response.status_code)
    body = response.content.decode(errors="replace") if not response.streaming else ""
    if 200 not in expected:
        assert things["reference"] not in body
    if TABLE[name].post:
        response = client.post(url, {"version": 1})
        assert response.status_code in expected, (url, "POST", response.status_code)
        if 200 not in expected:
            assert things["reference"] not in response.content.decode(errors="replace")
