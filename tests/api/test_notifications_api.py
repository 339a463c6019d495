"""Your notifications through the API: the inbox's own read (newest first, only your own),
paged as the case list is, with ?unread= as the inbox marks read and unread ones."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from rest_framework.pagination import PageNumberPagination

from agencies.enums import Role
from escalation.models import Case
from notifications.models import Notification, OutboxMessage
from notifications.selectors import inbox_for_user
from notifications.services import notification_mark_read, outbox_deliver
from tests.api.calls import PROBLEM, api
from tests.escalation.world import World

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MON_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
URL = "/api/v1/notifications/"


def raised(world: World, when: dt.datetime) -> Case:
    """A case raised at `when`, its notifications delivered then."""
    with time_machine.travel(when, tick=False):
        case = world.raise_case()
        for pk in OutboxMessage.objects.filter(case=case).values_list("pk", flat=True):
            outbox_deliver(outbox_id=pk)
    return case


@pytest.fixture
def two(oscb) -> tuple[Any, list[Notification]]:
    """Two cases raised an hour apart: the responding practitioner's notifications of them."""
    first = raised(oscb, MON_NOON)
    second = raised(oscb, MON_NOON + dt.timedelta(hours=1))
    person = oscb.person("responding", Role.PRACTITIONER)
    mine = list(Notification.objects.filter(recipient=person).order_by("-created_at", "-pk"))
    assert {n.case_id for n in mine} == {first.pk, second.pk}
    return person, mine


def test_the_url():
    assert reverse("api:notifications") == URL


def test_my_notifications_newest_first(two):
    person, mine = two
    body = api(person).get(URL).json()
    assert body["count"] == len(mine) == inbox_for_user(user=person).count()
    assert [n["id"] for n in body["results"]] == [n.pk for n in mine]
    newest = body["results"][0]
    assert newest["title"] == mine[0].title and newest["url"] == mine[0].url
    assert newest["case"] == mine[0].case.reference
    assert newest["event"] == mine[0].event
    assert newest["read_at"] is None
    created = [n["created_at"] for n in body["results"]]
    assert created == sorted(created, reverse=True) and created[0] > created[-1]


def test_only_my_own(oscb, two):
    _, mine = two
    outsider = api(oscb.person("unrelated", Role.PRACTITIONER)).get(URL)
    assert outsider.status_code == 200
    assert outsider.json() == {"count": 0, "next": None, "previous": None, "results": []}
    for notification in mine:
        assert notification.title not in outsider.content.decode()


def test_unread_and_read(two):
    person, mine = two
    with time_machine.travel(MON_NOON + dt.timedelta(hours=2), tick=False):
        notification_mark_read(notification=mine[0], user=person)
    client = api(person)
    unread = client.get(URL, {"unread": "true"}).json()
    assert [n["id"] for n in unread["results"]] == [n.pk for n in mine[1:]]
    read = client.get(URL, {"unread": "false"}).json()
    assert [n["id"] for n in read["results"]] == [mine[0].pk]
    assert read["results"][0]["read_at"] == "2026-11-23T14:00:00Z"


def test_paged_as_the_case_list_is(two, monkeypatch):
    person, mine = two
    # The pages of PAGE_SIZE (50) each, as the case list's, here one a page; the class reads
    # the setting once, when it is imported.
    assert PageNumberPagination.page_size == 50
    monkeypatch.setattr(PageNumberPagination, "page_size", 1)
    client = api(person)
    first = client.get(URL).json()
    assert [n["id"] for n in first["results"]] == [mine[0].pk]
    assert first["next"].endswith(f"{URL}?page=2") and first["previous"] is None
    second = client.get(first["next"]).json()
    assert [n["id"] for n in second["results"]] == [mine[1].pk]
    past = client.get(URL, {"page": len(mine) + 1})
    assert past.status_code == 404 and past["Content-Type"] == PROBLEM


def test_a_bad_unread_gets_400_with_the_field(two):
    person, _ = two
    response = api(person).get(URL, {"unread": "perhaps"})
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["errors"] == {"unread": ["Must be a valid boolean."]}


def test_signed_out_gets_401(client):
    response = client.get(URL)
    assert response.status_code == 401 and response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 401
