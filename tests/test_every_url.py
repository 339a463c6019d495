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
from api.tokens import token_create
from notifications.models import Notification, OutboxMessage
from notifications.services import outbox_deliver
from proforma.services import proforma_queue_record, proforma_render
from reports.selectors import ReportFilters
from reports.services import export_request, export_run
from tests.escalation.test_raise_views import answers, begin, draft_of, walk
from tests.escalation.world import World, build_world

# The probes answer anyone with no case data (tests/ops/test_probes.py).
PUBLIC = {"login", "logout", "ops:health", "ops:ready"}


@dataclass(frozen=True)
class Address:
    """How to reach the address with the things of the case, and what an outsider gets."""

    args: tuple[str, ...]  # names of things in the `things` fixture
    outsider: tuple[int, ...]  # the status codes an outsider may get, on GET and on POST
    rightful: str  # who may reach it: raiser, owner (the raiser's own session), board, lead,
    # recipient (of the notification)
    post: bool = False  # the address takes POST too (a form or an action)
    post_only: bool = False  # GET is refused with 405 (an action with no page)
    elsewhere: tuple[int, ...] | None = None  # board staff of another partnership, where
    # they differ from `outsider` (their own partnership's pages)
    signed_out: int = 302  # a signed-out visitor: sent to sign in, or the API's 401
    if_match: bool = False  # an API action: a POST without If-Match gets 428 (nothing saved)

    @property
    def api(self) -> bool:
        """An address of the API: it answers the signed-out with 401 and takes JSON."""
        return self.signed_out == 401

    def post_to(self, client: Client, url: str, data: dict[str, Any]) -> Any:
        """POST `data`: as JSON to an address of the API (it takes nothing else), as a form to
        a page."""
        if self.api:
            return client.post(url, data, content_type="application/json")
        return client.post(url, data)


CASE = ("reference",)
REFUSED = (404,)
NOT_THEIR_ROLE = (403, 404)
TABLE: dict[str, Address] = {
    # The case and its actions.
    "escalation:case": Address(CASE, REFUSED, "raiser"),
    "escalation:case_record": Address(CASE, REFUSED, "raiser", post=True),
    "escalation:case_escalate": Address(CASE, REFUSED, "raiser", post=True),
    "escalation:case_skip": Address(CASE, REFUSED, "raiser", post=True),
    "escalation:case_resolve": Address(CASE, REFUSED, "raiser", post=True),
    "escalation:case_withdraw": Address(CASE, REFUSED, "raiser", post=True),
    "escalation:case_agree": Address(CASE, REFUSED, "raiser", post=True),
    "escalation:case_dispute": Address(CASE, REFUSED, "raiser", post=True),
    "escalation:case_reassign": Address(CASE, REFUSED, "lead", post=True),
    "escalation:case_set_due": Address(CASE, REFUSED, "raiser", post=True),
    "escalation:case_chase": Address(CASE, REFUSED, "lead", post=True),
    "escalation:case_target": Address(CASE, REFUSED, "raiser", post=True),
    # Someone else's raising, by its draft's address.
    "escalation:raise_check": Address(("draft",), REFUSED, "owner", post=True),
    "escalation:raise_done": Address(("done_draft",), REFUSED, "owner"),
    "escalation:raise_question": Address(("draft", "question"), REFUSED, "owner", post=True),
    "escalation:raise_not_for": Address(("draft", "matter"), REFUSED, "owner"),
    "escalation:raise_refused": Address(("draft", "question", "option"), REFUSED, "owner"),
    "escalation:raise_page": Address(("draft", "page"), REFUSED, "owner", post=True),
    # Pages of roles the outsider (a practitioner) does not hold.
    "escalation:overdue": Address((), NOT_THEIR_ROLE, "lead", elsewhere=NOT_THEIR_ROLE),
    "escalation:board_cases": Address((), NOT_THEIR_ROLE, "board", elsewhere=(200,)),
    "reports:report": Address((), NOT_THEIR_ROLE, "board", elsewhere=(200,)),
    "reports:export": Address((), NOT_THEIR_ROLE, "board", post=True, post_only=True),
    # Someone else's export, PDFs and notification.
    "reports:export_job": Address(("export",), REFUSED, "board"),
    "reports:export_download": Address(("export",), REFUSED, "board"),
    "proforma:list": Address(CASE, REFUSED, "raiser", post=True),
    "proforma:job": Address(("reference", "render_job"), REFUSED, "raiser"),
    "proforma:download": Address(("reference", "pdf"), REFUSED, "raiser"),
    "notifications:mark_read": Address(
        ("notification",), REFUSED, "recipient", post=True, post_only=True
    ),
    # Everyone's own: open to any signed-in person, showing only their own things.
    "escalation:home": Address((), (200,), "raiser"),
    "escalation:raise": Address((), (302,), "raiser", elsewhere=(403,)),  # their own draft
    "escalation:policies": Address((), (200,), "board"),
    "escalation:policy": Address(("policy",), (200,), "board"),
    "escalation:policy_timeline": Address(("policy",), (200,), "board"),
    "notifications:inbox": Address((), (200,), "recipient"),
    "notifications:mark_all_read": Address((), (302,), "recipient", post=True, post_only=True),
    "proforma:check": Address((), (200,), "raiser", post=True),
    "api:schema": Address((), (200,), "raiser"),
    "api:docs": Address((), (200,), "raiser"),
    # The API: a signed-out request gets 401 problem details, never the sign-in page.
    # GET lists the person's own cases; POST raises one: an outsider's body raises nothing
    # (400), and board staff, who do not raise on the pages, are refused (403).
    "api:cases": Address((), (200, 400), "raiser", post=True, elsewhere=(200, 403), signed_out=401),
    "api:case": Address(CASE, REFUSED, "raiser", signed_out=401),
    "api:case_steps": Address(CASE, REFUSED, "raiser", signed_out=401),
    **{
        f"api:case_{action}": Address(
            CASE, REFUSED, rightful, post=True, post_only=True, signed_out=401, if_match=True
        )
        for action, rightful in [
            ("escalate", "raiser"),
            ("skip", "raiser"),
            ("resolve", "raiser"),
            ("withdraw", "raiser"),
            ("record", "raiser"),
            ("agree", "raiser"),
            ("dispute", "raiser"),
            ("chase", "lead"),
            ("reassign", "lead"),
        ]
    },
    # The policies are not case data: anyone who works in a partnership reads them.
    "api:policies": Address((), (200,), "board", signed_out=401),
    "api:policy": Address(("policy",), (200,), "board", signed_out=401),
    "api:policy_timeline": Address(("policy",), (200,), "board", signed_out=401),
    "api:notifications": Address((), (200,), "recipient", signed_out=401),
    "api:report": Address((), NOT_THEIR_ROLE, "board", elsewhere=(200,), signed_out=401),
    "accounts:keep_alive": Address((), (200,), "raiser", post=True, post_only=True),
    "accounts:two_factor_setup": Address((), (200, 302), "raiser", post=True),
    "accounts:two_factor_verify": Address((), (200, 302), "raiser", post=True),
    "accounts:backup_codes": Address((), (200, 302), "raiser", post=True),
    # Their own tokens: the page lists only the visitor's; another's token is not found.
    "accounts:api_tokens": Address((), (200,), "raiser", post=True),
    "accounts:api_token_revoke": Address(("token",), REFUSED, "raiser", post=True, post_only=True),
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
    return _things(oscb)


def _things(oscb: World) -> dict[str, Any]:
    case = oscb.raise_case(risk_of_significant_harm=True)
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
    export_run(job_id=str(export.pk))
    owner = Client()
    owner.force_login(raiser)
    dissent = answers(oscb, route="conference-dissent")
    at_question = walk(owner, begin(owner, raiser), dissent, until="question/attended")
    draft = draft_of(at_question)
    submitted = walk(owner, begin(owner, raiser), answers(oscb))
    assert owner.post(submitted).status_code == 302
    token, _ = token_create(user=raiser, name="the raiser's script")
    return {
        "owner": owner,
        "raiser": raiser,
        "lead": oscb.person("challenging", Role.SAFEGUARDING_LEAD),
        "board": board,
        "recipient": notification.recipient,
        "done_draft": draft_of(submitted),
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
        "token": token.prefix,
        "policy": case.policy_version.policy.slug,
        "form": {"version": 1, "format": "csv", "partnership": oscb.partnership.code},
    }


def _url(name: str, things: dict[str, Any]) -> str:
    return reverse(name, args=[things[a] for a in TABLE[name].args])


@pytest.mark.parametrize("name", sorted(TABLE))
def test_a_signed_out_visitor_is_sent_to_sign_in(client, things, name):
    """Or, at an address of the API, refused with 401 problem details."""
    url = _url(name, things)
    responses = [client.get(url)]
    if TABLE[name].post:
        responses.append(TABLE[name].post_to(client, url, {}))
    for response in responses:
        assert response.status_code == TABLE[name].signed_out, (url, response.status_code)
        if response.status_code == 302:
            assert response.url.startswith(reverse("login"))
        else:
            assert response["Content-Type"] == "application/problem+json"
            assert response.json()["status"] == 401


@pytest.mark.parametrize("name", sorted(TABLE))
def test_the_rightful_person_reaches_each_address(client, things, name):
    """The control for the refusals below: each address, as built, works for its person."""
    address = TABLE[name]
    visitor = things["owner"] if address.rightful == "owner" else client
    if address.rightful != "owner":
        visitor.force_login(things[address.rightful])
    url = _url(name, things)
    response = (
        address.post_to(visitor, url, things["form"]) if address.post_only else visitor.get(url)
    )
    # An API action reached without If-Match: 428, and nothing is done.
    reached = (428,) if address.if_match else (200, 302)
    assert response.status_code in reached, (url, response.status_code)
    if response.status_code == 302:
        assert not response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("who", ["unrelated practitioner", "board staff elsewhere"])
@pytest.mark.parametrize("name", sorted(TABLE))
def test_a_person_of_an_agency_not_party_gets_no_data(client, oscb, things, name, who):
    address = TABLE[name]
    if who == "unrelated practitioner":
        outsider, expected = oscb.person("unrelated", Role.PRACTITIONER), address.outsider
    else:
        outsider = oscb.person("elsewhere", Role.BOARD_STAFF)
        expected = address.elsewhere or address.outsider
    client.force_login(outsider)
    url = _url(name, things)
    response = client.get(url)
    if address.post_only:
        assert response.status_code == 405, (url, response.status_code)
    else:
        assert response.status_code in expected, (url, response.status_code)
    if not response.streaming:
        assert things["reference"] not in response.content.decode(errors="replace")
    if address.post:
        response = address.post_to(client, url, things["form"])
        assert response.status_code in expected, (url, "POST", response.status_code)
        if not response.streaming:
            assert things["reference"] not in response.content.decode(errors="replace")


JUNK = {
    "version": "not-a-number",
    "format": "exe",
    "partnership": "NOPE",
    "raised_from_day": "99",
    "raised_from_month": "13",
    "raised_from_year": "-1",
    "raised_from": "yesterday",
    "start_day": "31",
    "start_month": "2",
    "start_year": "20260",
    "start_hour": "25",
    "nation": "atlantis",
    "route": "../../etc",
    "risk": "maybe",
    "sort": "'; DROP TABLE",
    "order": "sideways",
    "page": "-1",
    "step": "999999999999999999999",
    "agency": "x",
    "policy": "\x00",
    "part": "section-99",
    "outcome": "explode",
    "answer": "x" * 30_000,
    "next": "https://elsewhere.example/",
}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_junk_input_gets_a_page_never_a_server_error(client, things, name):
    """Bad input, in the query string and in a form, as the person the address is for: a
    page or a redirect with a message, never a 500 or a stack trace."""
    address = TABLE[name]
    visitor = things["owner"] if address.rightful == "owner" else client
    if address.rightful != "owner":
        visitor.force_login(things[address.rightful])
    url = _url(name, things)
    responses = []
    if not address.post_only:
        responses.append(visitor.get(url, JUNK))
    if address.post or address.post_only:
        responses.append(address.post_to(visitor, url, JUNK))
    for response in responses:
        assert response.status_code < 500, (url, response.status_code)
        if not response.streaming:
            assert "Traceback" not in response.content.decode(errors="replace")
        if response.status_code == 302:
            assert not response.url.startswith("https://elsewhere.example"), url
