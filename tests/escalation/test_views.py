"""The pages this issue serves, and who gets a 404."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from agencies.enums import Role
from escalation.models import CaseAccess

pytestmark = pytest.mark.django_db


def test_home_needs_sign_in(client):
    response = client.get(reverse("escalation:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_sign_in_lasts_a_working_day(client, oscb):
    """Ten hours, however busy (an idle sign-in ends sooner: tests/accounts/test_idle.py)."""
    person = oscb.person("challenging", Role.PRACTITIONER)
    start = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(person)
    for minutes in range(20, 600, 20):  # busy all day, never idle for long
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("escalation:home")).status_code == 200
    with time_machine.travel(dt.datetime(2026, 11, 23, 17, 59, tzinfo=dt.UTC), tick=False):
        assert client.get(reverse("escalation:home")).status_code == 200
    with time_machine.travel(dt.datetime(2026, 11, 23, 18, 1, tzinfo=dt.UTC), tick=False):
        response = client.get(reverse("escalation:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_home_lists_the_persons_open_cases(client, oscb):
    case = oscb.raise_case()
    client.force_login(case.raised_by)
    response = client.get(reverse("escalation:home"))
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    assert "5 working days" in response.content.decode()


def test_home_of_an_unrelated_person_shows_no_case(client, oscb):
    case = oscb.raise_case()
    client.force_login(oscb.person("unrelated", Role.SAFEGUARDING_LEAD))
    response = client.get(reverse("escalation:home"))
    assert response.status_code == 200
    assert case.reference not in response.content.decode()


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("unrelated", Role.PRACTITIONER),
        ("unrelated", Role.SAFEGUARDING_LEAD),
        ("elsewhere", Role.BOARD_STAFF),
        ("board", Role.PARTNERSHIP_ADMIN),
    ],
)
def test_case_page_is_404_for_people_not_party(client, oscb, where, role):
    case = oscb.raise_case()
    client.force_login(oscb.person(where, role))
    response = client.get(reverse("escalation:case", args=[case.reference]))
    assert response.status_code == 404
    assert case.disagreement not in response.content.decode()
    assert CaseAccess.objects.count() == 0


def test_case_page_shows_the_case_and_logs_the_read(client, oscb):
    case = oscb.raise_case()
    reader = oscb.person("responding", Role.LINE_MANAGER)
    client.force_login(reader)
    response = client.get(reverse("escalation:case", args=[case.reference]))
    assert response.status_code == 200
    assert case.disagreement in response.content.decode()
    assert CaseAccess.objects.filter(case=case, user=reader).count() == 1


def test_unknown_case_is_404(client, oscb):
    client.force_login(oscb.person("challenging", Role.PRACTITIONER))
    response = client.get(reverse("escalation:case", args=["OXF-2026-9999"]))
    assert response.status_code == 404


def test_the_work_queue_shows_fifty_open_cases_a_page_due_soonest_first(client, oscb):
    """A busy practitioner's queue in pages of 50, each case once, the soonest due first; a
    page number out of range shows the last page, not an error."""
    from escalation.queries.cases import WORK_PAGE_SIZE

    raiser = oscb.person("challenging", Role.PRACTITIONER)
    cases = [oscb.raise_case(by=raiser) for _ in range(WORK_PAGE_SIZE + 1)]
    client.force_login(raiser)
    first = client.get(reverse("escalation:home")).content.decode()
    second = client.get(reverse("escalation:home"), {"page": "2"}).content.decode()
    beyond = client.get(reverse("escalation:home"), {"page": "99"}).content.decode()
    junk = client.get(reverse("escalation:home"), {"page": "x"})
    on_first = [c.reference for c in cases if f">{c.reference}</a>" in first]
    on_second = [c.reference for c in cases if f">{c.reference}</a>" in second]
    assert len(on_first) == WORK_PAGE_SIZE
    assert len(on_second) == 1
    assert set(on_first) | set(on_second) == {c.reference for c in cases}
    assert "1 to 50 of 51" in first
    assert "51 to 51 of 51" in second
    assert 'href="?page=2"' in first
    assert on_second[0] in beyond
    assert junk.status_code == 200
    assert on_first[0] in junk.content.decode()
    # Raised one after another, the same ladder: the first raised is due soonest.
    assert on_first[0] == cases[0].reference
    assert on_second == [cases[-1].reference]


def test_the_work_queue_reads_the_same_queries_whatever_its_length(client, oscb):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    raiser = oscb.person("challenging", Role.PRACTITIONER)
    client.force_login(raiser)
    oscb.raise_case(by=raiser)
    client.get(reverse("escalation:home"))  # the session's first read
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("escalation:home")).status_code == 200
    for _ in range(12):
        oscb.raise_case(by=raiser)
    with CaptureQueriesContext(connection) as more:
        assert client.get(reverse("escalation:home")).status_code == 200
    assert len(more) == len(few)
