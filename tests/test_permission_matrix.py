"""The permission matrix: every address, every kind of person, the status each gets.

Each address of tests/test_every_url.py's TABLE (and any named address that is not in it,
which fails) is visited by every role of the challenging agency, every role of the responding
agency, every role of an unrelated agency of the same partnership, the partnership's board
staff, board staff of another partnership and a platform superuser with no membership; on GET
and, where the address takes a form or an action, on POST. The expected status of each cell
is derived from the TABLE entry's fields, so an address added to the TABLE later is covered
without a line here; the few cells that differ from the rule are in EXCEPTIONS, with why.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from agencies.enums import Role
from escalation.models import Case, Policy
from escalation.queries.policies import case_route
from tests.escalation.world import AGENCY_ROLES, World, build_world
from tests.factories import UserFactory
from tests.test_every_url import (
    NOT_THEIR_ROLE,
    PUBLIC,
    TABLE,
    Address,
    _things,
    product_url_names,
)

# Who visits: a name for the test's id, and where and in which role they are in the world.
ACTORS: dict[str, tuple[str, str] | None] = {
    **{f"challenging-{role}": ("challenging", role) for role in AGENCY_ROLES},
    **{f"responding-{role}": ("responding", role) for role in AGENCY_ROLES},
    **{f"unrelated-{role}": ("unrelated", role) for role in AGENCY_ROLES},
    "board-staff": ("board", Role.BOARD_STAFF),
    "elsewhere-board-staff": ("elsewhere", Role.BOARD_STAFF),
    "platform-admin": None,  # a superuser with no membership of any agency
}


@contextmanager
def one_world(django_db_blocker: Any, media_root: Any) -> Iterator[dict[str, Any]]:
    """The OSCB world and tests/test_every_url.py's things, with a platform administrator,
    built once in a transaction that is rolled back at the end; each test inside runs in its
    own savepoint (pytest-django's `db`), so a POST that changes the case changes it for that
    test only."""
    media = override_settings(MEDIA_ROOT=media_root)
    media.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_policies", verbosity=0)
            policy = Policy.objects.get(owner__isnull=True, slug="oscb-children")
            world = build_world(policy=policy, code="MTX")
            things = _things(world)
            admin = UserFactory(username="mtx-platform-admin", is_staff=True, is_superuser=True)
            yield {"world": world, "things": things, "admin": admin}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media.disable()


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict[str, Any]]:
    with one_world(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


# The case actions (a TABLE entry with `post` on a case) and which parties may take them
# on the world's case (open, at its first step, at risk): "step" for the people who act at the
# case's current step under its policy, "challenging" for every role of the challenging
# agency, "parties" for every role of both agencies. A party who may not is refused with 403
# (never 404: they may see the case). An action added to the TABLE and not named here is still
# covered: a party gets the form or 403, never 404 and never a server error.
ACTIONS: dict[str, str] = {
    "escalation:case_record": "step",
    "escalation:case_escalate": "step",
    "escalation:case_skip": "step",
    "escalation:case_resolve": "step",
    "escalation:case_set_due": "step",
    "escalation:case_withdraw": "challenging",
    "escalation:case_reassign": "parties",
    "escalation:case_target": "parties",
    "api:case_record": "step",
    "api:case_escalate": "step",
    "api:case_skip": "step",
    "api:case_resolve": "step",
    "api:case_withdraw": "challenging",
    "api:case_reassign": "parties",
}

# The roles that a page of a role (an entry whose outsider is 403 or 404 and has no things of
# a case) is for, by the TABLE's `rightful`.
ROLE_PAGES: dict[str, str] = {"lead": Role.SAFEGUARDING_LEAD, "board": Role.BOARD_STAFF}

# Cells that differ from the rule, with why: (address, actor, method) -> statuses.
EXCEPTIONS: dict[tuple[str, str, str], tuple[int, ...]] = {
    # The partnership's board staff may ask for the PDFs of its cases (they may read them).
    ("proforma:list", "board-staff", "GET"): (200,),
    ("proforma:list", "board-staff", "POST"): (200, 302),
    # A platform administrator belongs to no partnership: there is no adopted policy to show.
    ("escalation:policies", "platform-admin", "GET"): (403,),
    ("escalation:policy", "platform-admin", "GET"): (403,),
    ("escalation:policy_timeline", "platform-admin", "GET"): (403,),
    ("api:policies", "platform-admin", "GET"): (403,),
    ("api:policy", "platform-admin", "GET"): (403,),
    ("api:policy_timeline", "platform-admin", "GET"): (403,),
    # An export of another partnership's cases is refused outright.
    ("reports:export", "elsewhere-board-staff", "POST"): (403,),
}

OUTSIDE = {"unrelated", "elsewhere", "platform"}  # may never see the case's data


def kind(actor: str) -> str:
    place = ACTORS[actor]
    if place is None:
        return "platform"
    return {"challenging": "party", "responding": "party"}.get(place[0], place[0])


def may_act(name: str, actor: str, matrix: dict[str, Any]) -> bool | None:
    rule = ACTIONS.get(name)
    place = ACTORS[actor]
    if rule is None or place is None:
        return None
    where, role = place
    if rule == "parties":
        return where in ("challenging", "responding")
    if rule == "challenging":
        return where == "challenging"
    case = Case.objects.get(reference=matrix["things"]["reference"])
    actors = case_route(case).step(case.current_step.number).actors
    side = "partnership" if where == "board" else where
    return actors.get(side) == role


def expected(name: str, actor: str, method: str, matrix: dict[str, Any]) -> tuple[int, ...]:
    """The statuses `actor` may get at `name` by `method`, from its TABLE entry."""
    address: Address = TABLE[name]
    if method == "GET" and address.post_only:
        return (405,)
    if (name, actor, method) in EXCEPTIONS:
        return EXCEPTIONS[(name, actor, method)]
    who, things = kind(actor), matrix["things"]
    done = (200,) if method == "GET" else (200, 302)
    if address.rightful == "owner":
        # A raising in progress lives in the session that began it: even its raiser, signed
        # in afresh, does not reach it.
        return address.outsider
    if "reference" in address.args:
        if who in OUTSIDE:
            return address.outsider
        if not address.post:
            return (200,)  # the case's pages: every role of both parties, and the board
        allowed = may_act(name, actor, matrix)
        # An API action posted without If-Match: 428 for a person who may act.
        acted = (428,) if address.if_match else (200, 302, 409)
        if allowed is None:
            return (200, 403) if method == "GET" else (403, *acted)
        if not allowed:
            return (403,)
        return (200,) if method == "GET" else acted  # the form, its errors, done
    if address.args:
        # A thing of one person (their notification, their export).
        return done if person(matrix, actor) == things[address.rightful] else address.outsider
    if address.outsider == NOT_THEIR_ROLE:
        place = ACTORS[actor]
        holds = place is not None and place[1] == ROLE_PAGES.get(address.rightful)
        if who in ("party", "unrelated", "board") and holds:
            return done
        if who == "elsewhere" and address.elsewhere:
            return address.elsewhere
        return address.outsider
    # Everyone's own pages; people of no agency of the partnership as `elsewhere` says.
    if who in ("board", "elsewhere", "platform"):
        return address.elsewhere or address.outsider
    return address.outsider


def person(matrix: dict[str, Any], actor: str) -> Any:
    place = ACTORS[actor]
    if place is None:
        return matrix["admin"]
    world: World = matrix["world"]
    return world.person(*place)


def cells() -> list[Any]:
    return [
        pytest.param(name, actor, id=f"{name}-{actor}")
        for name in sorted((product_url_names() - PUBLIC) | set(TABLE))
        for actor in ACTORS
    ]


def test_the_matrix_covers_every_address():
    assert product_url_names() - PUBLIC == set(TABLE)
    assert set(ACTIONS) <= set(TABLE)
    assert {name for name, _, _ in EXCEPTIONS} <= set(TABLE)


@pytest.mark.parametrize(("name", "actor"), cells())
def test_each_person_gets_the_expected_status(matrix, db, name, actor):
    assert name in TABLE, f"{name} is not in tests/test_every_url.py's TABLE"
    address = TABLE[name]
    things = matrix["things"]
    url = reverse(name, args=[things[a] for a in address.args])
    client = Client()
    client.force_login(person(matrix, actor))
    methods = ["GET", "POST"] if address.post else ["GET"]
    for method in methods:
        response = (
            client.get(url) if method == "GET" else address.post_to(client, url, things["form"])
        )
        assert response.status_code in expected(name, actor, method, matrix), (
            method,
            url,
            response.status_code,
        )
        if kind(actor) in OUTSIDE and not response.streaming:
            assert things["reference"] not in response.content.decode(errors="replace")
