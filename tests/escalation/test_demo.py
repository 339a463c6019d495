"""The demo: the same sign-ins every time, every preset adopted, cases at every step.

Seeding is slow enough (hundreds of transitions) that one test seeds once and checks it all.
"""

import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from agencies.calendars import WorkingCalendar
from agencies.enums import PARTNERSHIP_ROLES, Role
from agencies.models import Agency, Membership, Partnership
from escalation.demo import _working_moment, _working_moment_after
from escalation.models import Case
from escalation.queries.policies import adopted_version, policy_spec

pytestmark = pytest.mark.django_db


def _seed() -> dict:
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_seed_demo_builds_the_whole_demo_and_only_once():
    demo = _seed()

    # Every preset adopted, in partnerships of four different nations.
    partnerships = list(Partnership.objects.select_related("adopted_policy"))
    assert {p.adopted_policy.slug for p in partnerships} == {
        "oscb-children",
        "sab-adults",
        "ssab-adults",
        "4lscb-children",
    }
    assert len({p.nation for p in partnerships}) == 4

    # A person in every role in every agency; the printed sign-ins work.
    for agency in Agency.objects.all():
        roles = set(agency.memberships.values_list("role", flat=True))
        expected = (
            set(PARTNERSHIP_ROLES)
            if agency.kind == "partnership"
            else set(Role.values) - set(PARTNERSHIP_ROLES)
        )
        assert roles == expected, agency.name
    # Everyone has a telephone number, in Ofcom's range for drama, and an e-mail address.
    phones = list(Membership.objects.values_list("telephone", flat=True))
    assert phones and all(p.startswith("01632 960") and len(p) == 12 for p in phones)
    assert not Membership.objects.filter(user__email="").exists()
    assert {u["partnership"] for u in demo["users"]} == {p.name for p in partnerships}
    first = demo["users"][0]
    sign_in = RequestFactory().post("/sign-in/")  # django-axes counts sign-ins by request
    assert authenticate(sign_in, username=first["username"], password=first["password"]) is not None

    # Open cases at every step of the standard route, and at the first step of every route.
    for case_json in demo["cases"]:
        assert set(case_json) >= {
            "reference",
            "partnership",
            "policy",
            "route",
            "step",
            "status",
            "agencies",
        }
        assert len(case_json["agencies"]) == 2
    reached = {(c["policy"], c["route"], c["step"]) for c in demo["cases"] if c["status"] == "open"}
    for partnership in partnerships:
        spec = policy_spec(adopted_version(partnership=partnership))
        for step in spec.standard_route.ladder:
            assert (spec.slug, spec.standard_route.slug, step.number) in reached
        for route in spec.routes:
            assert (spec.slug, route.slug, route.ladder[0].number) in reached

    # Some overdue, some at risk, some resolved and withdrawn.
    assert {c["status"] for c in demo["cases"]} == {"open", "resolved", "withdrawn"}
    assert any(c["overdue"] for c in demo["cases"])
    assert any(not c["overdue"] for c in demo["cases"] if c["status"] == "open")
    assert any(c["risk"] for c in demo["cases"])
    # In each partnership, one case whose resolution waits for the raiser to agree.
    waiting = [c for c in demo["cases"] if c["awaiting_agreement"]]
    assert sorted(c["partnership"] for c in waiting) == sorted(p.name for p in partnerships)
    assert {c["status"] for c in waiting} == {"open"}
    assert len(demo["cases"]) == Case.objects.count()

    # Running it again adds nothing and prints the same sign-ins.
    again = _seed()
    assert Case.objects.count() == len(demo["cases"])
    assert [u["username"] for u in again["users"]] == [u["username"] for u in demo["users"]]

    # What `make demo` prints: every sign-in, of every role (the strategic managers, who act
    # at the last step of every policy, included), and when reminders are swept.
    printed = StringIO()
    call_command("seed_demo", stdout=printed)
    lines = printed.getvalue().splitlines()
    for user in demo["users"]:
        assert any(line.split()[:1] == [user["username"]] for line in lines), user["username"]
    strategic = [u["username"] for u in demo["users"] if u["role"] == Role.STRATEGIC_MANAGER]
    assert len(strategic) == len(partnerships)
    assert sum("Strategic safeguarding manager" in line for line in lines) == len(partnerships)
    assert "A resolution waits for the raiser to agree or dispute:" in lines
    for case_json in waiting:
        assert any(
            line.split() == [case_json["reference"], "sign", "in", "as", case_json["raised_by"]]
            for line in lines
        ), case_json["reference"]
    assert (
        "the deadline sweep runs every 5 minutes but writes only within each partnership's "
        "working hours (08:30 to 17:00 UK time" in printed.getvalue()
    )


@pytest.mark.parametrize("nation", ["england", "scotland"])
def test_each_later_demo_moment_follows_the_earlier_whatever_the_day(nation):
    # The withdrawn and resolved cases happen some working days after they were raised; when
    # a weekend or holiday rolls both back to one working day, the later must still follow.
    # (Seeding at 01:39 on Monday 7 December 2026 once raised at 14:50 and withdrew at 09:05.)
    calendar = WorkingCalendar(
        nation=nation,
        closure_days={dt.date(2026, 12, 29): "Council closure day"},
        close_of_business=dt.time(17, 0),
    )
    first = dt.datetime(2026, 1, 1, 1, 39, tzinfo=dt.UTC)
    checked = 0
    for day in range(2 * 366):
        for hour in (0, 12, 23):
            now = first + dt.timedelta(days=day, hours=hour)
            for n in range(1, 60):
                for earlier_days, later_days in ((10, 9), (40, 35)):
                    earlier = _working_moment(calendar, earlier_days, n, now)
                    later = _working_moment_after(calendar, earlier, later_days, n + 3, now)
                    assert later > earlier, (now, n)
                    assert calendar.is_working_day(timezone.localtime(later).date())
                    checked += 1
    assert checked == 2 * 366 * 3 * 59 * 2
