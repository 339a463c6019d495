"""The oversight pages: the safeguarding lead's overdue page, the board's case list, the policy
pages and the timeline preview; who may see them, every filter, the sorting, every form error."""

from __future__ import annotations

import datetime as dt
import html as html_text
import json
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from agencies.enums import Role
from agencies.models import Membership
from agencies.selectors import partnership_calendar
from escalation.context_processors import navigation
from escalation.domain import case_escalate, case_reassign, case_withdraw
from escalation.domain.policies import policy_copy_to_draft, policy_publish
from escalation.domain.policy_files import preset_files
from escalation.models import Case
from escalation.queries.oversight import due_soon_horizon, overdue_count, partnership_calendars
from escalation.rules import seats
from escalation.templatetags.resolve import moment
from tests.factories import ClosureDayFactory, UserFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


# OSCB: every step is due 5 working days after it starts.
MON_30_NOV = at(2026, 11, 30)  # step 1 due 17:00 Mon 7 Dec
MON_7_DEC = at(2026, 12, 7)  # step 1 due 17:00 Mon 14 Dec
THU_10_DEC = at(2026, 12, 10)  # step 1 due 17:00 Thu 17 Dec
FRI_11_DEC = at(2026, 12, 11)  # the overdue page looks to 17:00 Tue 15 Dec


def raised(world, when: dt.datetime, **overrides) -> Case:
    with time_machine.travel(when, tick=False):
        return world.raise_case(**overrides)


def raised_by_unrelated(world, when: dt.datetime, **overrides) -> Case:
    """A case between the unrelated agency (challenging) and the responding agency."""
    return raised(
        world,
        when,
        by=world.person("unrelated", Role.PRACTITIONER),
        challenging_agency=world.unrelated,
        **overrides,
    )


def escalated(world, case: Case, times: int = 1, when: dt.datetime | None = None) -> Case:
    with time_machine.travel(when or case.raised_at, tick=False):
        for _ in range(times):
            case = case_escalate(
                case=case,
                by=world.any_actor(case),
                reason="Not resolved at this step",
                expected_version=case.version,
            )
    return case


def page(client, user, url: str, when: dt.datetime | None = None):
    """The page as the person sees it at `when` (signed in then, so the session is fresh)."""
    if when is None:
        client.force_login(user)
        return client.get(url)
    with time_machine.travel(when, tick=False):
        client.force_login(user)
        return client.get(url)


def body(response) -> str:
    return response.content.decode()


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", body(response), re.S).group(1).strip()


def error_summary(response) -> list[str]:
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', body(response), re.S)
    if not found:
        return []
    return [
        html_text.unescape(re.sub(r"<[^>]+>", "", item).strip())
        for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    ]


def references(response) -> list[str]:
    """The case references linked from the page's table, in order."""
    return re.findall(r'href="/cases/([A-Z]+-\d{4}-\d{4})/"', body(response))


OVERDUE = reverse("escalation:overdue")
BOARD = reverse("escalation:board_cases")
POLICIES = reverse("escalation:policies")


def policy_url(slug: str) -> str:
    return reverse("escalation:policy", args=[slug])


def timeline_url(slug: str) -> str:
    return reverse("escalation:policy_timeline", args=[slug])


# --- every URL needs a signed-in person ------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [OVERDUE, BOARD, POLICIES, "/policies/oscb-children/", "/policies/oscb-children/timeline/"],
)
def test_every_page_needs_sign_in(client, oscb, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- the overdue page: who may see it -------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("challenging", Role.PRACTITIONER),
        ("challenging", Role.LINE_MANAGER),
        ("challenging", Role.SENIOR_MANAGER),
        ("responding", Role.PRACTITIONER),
        ("responding", Role.LINE_MANAGER),
        ("responding", Role.SENIOR_MANAGER),
        ("board", Role.BOARD_STAFF),
        ("board", Role.STRATEGIC_MANAGER),
        ("board", Role.PARTNERSHIP_ADMIN),
    ],
)
def test_overdue_page_is_403_for_anyone_but_a_safeguarding_lead(client, oscb, where, role):
    case = raised(oscb, MON_30_NOV)
    response = page(client, oscb.person(where, role), OVERDUE, FRI_11_DEC)
    assert response.status_code == 403
    assert case.reference not in body(response)


def test_a_lead_sees_only_cases_of_their_own_agency(client, oscb):
    ours = raised(oscb, MON_30_NOV)
    theirs = raised_by_unrelated(oscb, MON_30_NOV)

    response = page(client, oscb.person("challenging", Role.SAFEGUARDING_LEAD), OVERDUE, FRI_11_DEC)

    assert response.status_code == 200
    assert references(response) == [ours.reference]
    assert theirs.reference not in body(response)
    assert theirs.disagreement not in body(response)


def test_a_lead_of_the_responding_agency_sees_the_cases_it_responds_to(client, oscb):
    ours = raised(oscb, MON_30_NOV)
    other = raised_by_unrelated(oscb, MON_7_DEC)

    response = page(client, oscb.person("responding", Role.SAFEGUARDING_LEAD), OVERDUE, FRI_11_DEC)

    assert sorted(references(response)) == sorted([ours.reference, other.reference])


def test_the_lead_of_the_unrelated_agency_sees_neither(client, oscb):
    case = raised(oscb, MON_30_NOV)
    response = page(client, oscb.person("unrelated", Role.SAFEGUARDING_LEAD), OVERDUE, FRI_11_DEC)
    assert response.status_code == 200
    assert case.reference not in body(response)
    assert "No open case of your agency is overdue" in body(response)


def test_a_lead_of_another_partnership_sees_nothing_of_this_one(client, oscb):
    case = raised(oscb, MON_30_NOV)
    response = page(client, oscb.person("elsewhere", Role.SAFEGUARDING_LEAD), OVERDUE, FRI_11_DEC)
    assert response.status_code == 200
    assert case.reference not in body(response)
    assert references(response) == []


# --- the overdue page: what it lists ---------------------------------------------------------


def test_overdue_and_due_within_two_working_days_are_listed_later_ones_not(client, oscb):
    overdue = raised(oscb, MON_30_NOV)  # due Mon 7 Dec
    soon = raised(oscb, MON_7_DEC)  # due Mon 14 Dec, before 17:00 Tue 15 Dec
    later = raised(oscb, THU_10_DEC)  # due Thu 17 Dec

    response = page(client, oscb.person("challenging", Role.SAFEGUARDING_LEAD), OVERDUE, FRI_11_DEC)
    html = body(response)

    assert references(response) == [overdue.reference, soon.reference]
    assert later.reference not in html
    assert "by 17:00 Tue 15 Dec 2026" in html
    assert "2 cases" in html
    rows = html.split("<tbody")[1].split("</tr>")
    assert "Overdue" in rows[0] and "Overdue" not in rows[1]
    # Each due moment with its explanation, and who must act.
    assert "17:00 Mon 7 Dec 2026" in rows[0]
    assert overdue.current_step.due_explanation in rows[0]
    assert "Hillside Health: Practitioner" in rows[0]
    assert "County Social Care: Practitioner" in rows[0]


@pytest.mark.parametrize(
    ("now", "listed"),
    [
        (at(2026, 12, 9, 10), False),  # looks to 17:00 Fri 11 Dec
        (at(2026, 12, 9, 17, 30), True),  # after close of business: day 0 is Thu 10 Dec
        (at(2026, 12, 10, 10), True),  # looks to 17:00 Mon 14 Dec: due then exactly
        (at(2026, 12, 12, 10), True),  # Saturday: day 0 is Mon 14 Dec
    ],
)
def test_two_working_days_are_counted_from_todays_day_0(client, oscb, now, listed):
    case = raised(oscb, MON_7_DEC)  # due 17:00 Mon 14 Dec
    response = page(client, oscb.person("challenging", Role.SAFEGUARDING_LEAD), OVERDUE, now)
    assert (case.reference in references(response)) is listed


def test_bank_holidays_stretch_the_two_working_days(client, oscb):
    # Raised Fri 18 Dec: 5 working days skip Christmas Day and Boxing Day (observed): due Tue 29.
    case = raised(oscb, at(2026, 12, 18))
    assert moment(case.current_step.due_at) == "17:00 Tue 29 Dec 2026"
    # On Wed 23 Dec the two working days are Thu 24 and Tue 29 Dec.
    response = page(
        client, oscb.person("challenging", Role.SAFEGUARDING_LEAD), OVERDUE, at(2026, 12, 23)
    )
    assert references(response) == [case.reference]
    assert "by 17:00 Tue 29 Dec 2026" in body(response)


def test_closure_days_of_the_partnership_stretch_them_too(client, oscb):
    case = raised(oscb, at(2026, 12, 9))  # due 17:00 Wed 16 Dec
    lead = oscb.person("challenging", Role.SAFEGUARDING_LEAD)
    assert references(page(client, lead, OVERDUE, FRI_11_DEC)) == []

    ClosureDayFactory(partnership=oscb.partnership, date=dt.date(2026, 12, 14))

    response = page(client, lead, OVERDUE, FRI_11_DEC)
    assert references(response) == [case.reference]
    assert "by 17:00 Wed 16 Dec 2026" in body(response)


def test_closed_cases_are_not_listed(client, oscb):
    case = raised(oscb, MON_30_NOV)
    with time_machine.travel(MON_7_DEC, tick=False):
        case_withdraw(
            case=case, by=case.raised_by, reason="Agreed informally", expected_version=case.version
        )
    response = page(client, oscb.person("challenging", Role.SAFEGUARDING_LEAD), OVERDUE, FRI_11_DEC)
    assert case.reference not in body(response)


def test_who_must_act_names_the_sides_roles_at_the_current_step(client, oscb):
    case = escalated(oscb, raised(oscb, MON_30_NOV), times=2)  # step 3
    response = page(client, oscb.person("responding", Role.SAFEGUARDING_LEAD), OVERDUE, FRI_11_DEC)
    row = body(response).split(f">{case.reference}</a>")[1].split("</tr>")[0]
    assert "Step 3" in row
    assert "Hillside Health: Designated safeguarding lead" in row
    assert "County Social Care: Senior manager" in row


def test_who_must_act_names_a_person_named_for_a_side(client, oscb):
    case = raised(oscb, MON_30_NOV)
    named = oscb.person("responding", Role.LINE_MANAGER)
    with time_machine.travel(MON_7_DEC, tick=False):
        case_reassign(
            case=case,
            by=named,
            side="responding",
            to=named,
            reason="Covering for a colleague",
            expected_version=case.version,
        )
    response = page(client, oscb.person("responding", Role.SAFEGUARDING_LEAD), OVERDUE, FRI_11_DEC)
    row = body(response).split(f">{case.reference}</a>")[1].split("</tr>")[0]
    assert f"County Social Care: Practitioner ({escape(named.get_full_name())})" in row


# --- the overdue page: filters -----------------------------------------------------------------


@pytest.fixture
def lead_cases(oscb, presets):
    """For the responding agency's lead: four cases, all overdue on Fri 11 Dec."""
    plain = raised(oscb, MON_30_NOV)
    at_risk = raised(oscb, MON_30_NOV, risk_of_significant_harm=True)
    from_unrelated = raised_by_unrelated(oscb, at(2026, 12, 1))
    step_2 = escalated(oscb, raised(oscb, at(2026, 11, 23)), when=MON_30_NOV)
    oscb.partnership.adopted_policy = presets["4lscb-children"]
    oscb.partnership.save()
    other_policy = raised(oscb, at(2026, 12, 8))  # 4LSCB stage 1: 1 working day
    return {
        "plain": plain,
        "at_risk": at_risk,
        "from_unrelated": from_unrelated,
        "step_2": step_2,
        "other_policy": other_policy,
    }


def filtered(client, oscb, query: str):
    lead = oscb.person("responding", Role.SAFEGUARDING_LEAD)
    return page(client, lead, f"{OVERDUE}?{query}", FRI_11_DEC)


def test_unfiltered_lead_sees_all_five(client, oscb, lead_cases):
    response = filtered(client, oscb, "")
    assert sorted(references(response)) == sorted(c.reference for c in lead_cases.values())


def test_filter_by_step(client, oscb, lead_cases):
    response = filtered(client, oscb, "step=2")
    assert references(response) == [lead_cases["step_2"].reference]
    assert "1 case matches the filters (5 in all)" in body(response)


def test_filter_by_agency(client, oscb, lead_cases):
    response = filtered(client, oscb, f"agency={oscb.unrelated.pk}")
    assert references(response) == [lead_cases["from_unrelated"].reference]


def test_filter_by_policy(client, oscb, lead_cases, presets):
    response = filtered(client, oscb, f"policy={presets['4lscb-children'].pk}")
    assert references(response) == [lead_cases["other_policy"].reference]
    response = filtered(client, oscb, f"policy={presets['oscb-children'].pk}")
    assert lead_cases["other_policy"].reference not in references(response)
    assert len(references(response)) == 4


def test_filter_by_risk(client, oscb, lead_cases):
    assert references(filtered(client, oscb, "risk=yes")) == [lead_cases["at_risk"].reference]
    not_at_risk = references(filtered(client, oscb, "risk=no"))
    assert len(not_at_risk) == 4
    assert lead_cases["at_risk"].reference not in not_at_risk


def test_filters_combine_and_can_match_nothing(client, oscb, lead_cases):
    response = filtered(client, oscb, "step=2&risk=yes")
    assert references(response) == []
    assert "No case matches the filters (5 cases in all)" in body(response)


def test_the_filter_form_keeps_what_was_chosen(client, oscb, lead_cases):
    html = body(filtered(client, oscb, "step=2&risk=yes"))
    assert '<option value="2" selected>Step 2</option>' in html
    assert '<option value="yes" selected>At risk of significant harm</option>' in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("step=abc", "step", "Select a step from the list"),
        ("step=42", "step", "Select a step from the list"),
        ("agency=999999", "agency", "Select an agency from the list"),
        ("policy=nope", "policy", "Select a policy from the list"),
        ("risk=maybe", "risk", "Select a risk from the list"),
    ],
)
def test_overdue_filter_errors(client, oscb, lead_cases, query, field, message):
    response = filtered(client, oscb, query)
    html = body(response)
    assert response.status_code == 200
    assert title(response).startswith("Error: ")
    assert error_summary(response) == [message]
    assert f'href="#id_{field}"' in html
    assert f'id="id_{field}-error"' in html
    assert "govuk-select--error" in html
    assert references(response) == []  # no table until the filters are put right


def test_an_agency_of_another_partnership_is_not_a_choice(client, oscb):
    elsewhere = Membership.objects.get(user=oscb.person("elsewhere", Role.PRACTITIONER)).agency
    response = filtered(client, oscb, f"agency={elsewhere.pk}")
    assert error_summary(response) == ["Select an agency from the list"]
    assert elsewhere.name not in body(response)


# --- the overdue page: sorting ------------------------------------------------------------------


def test_sorted_by_due_moment_soonest_first_by_default(client, oscb, lead_cases):
    response = filtered(client, oscb, "")
    dues: list[dt.datetime] = []
    for reference in references(response):
        due = Case.objects.get(reference=reference).current_step.due_at
        assert due is not None
        dues.append(due)
    assert len(dues) == 5
    assert dues == sorted(dues)
    assert re.search(
        r'aria-sort="ascending"><a class="govuk-link" href="\?sort=due&amp;order=desc">Due',
        body(response),
    )


@pytest.mark.parametrize(
    ("query", "aria"),
    [
        ("sort=reference", "ascending"),
        ("sort=reference&order=desc", "descending"),
    ],
)
def test_sorted_by_reference(client, oscb, lead_cases, query, aria):
    response = filtered(client, oscb, query)
    got = references(response)
    assert got == sorted(got, reverse=aria == "descending")
    assert len(got) == 5
    assert re.search(
        rf'aria-sort="{aria}"><a class="govuk-link" href="[^"]*sort=reference[^"]*">Case',
        body(response),
    )
    assert body(response).count('aria-sort="none"') == 2  # step and due


def test_sorted_by_step(client, oscb, lead_cases):
    response = filtered(client, oscb, "sort=step&order=desc")
    assert references(response)[0] == lead_cases["step_2"].reference


def test_sorting_keeps_the_filters_and_an_unknown_sort_falls_back_to_due(client, oscb, lead_cases):
    html = body(filtered(client, oscb, "risk=no&sort=reference"))
    assert 'href="?risk=no&amp;sort=step&amp;order=asc"' in html
    assert '<input type="hidden" name="sort" value="reference">' in html
    response = filtered(client, oscb, "sort=drop-table")
    assert response.status_code == 200
    assert (
        'aria-sort="ascending"><a class="govuk-link" href="?sort=due&amp;order=desc">Due'
        in body(response)
    )


# --- the count in the navigation ---------------------------------------------------------------


def test_the_navigation_shows_the_leads_count(client, oscb, lead_cases):
    lead = oscb.person("responding", Role.SAFEGUARDING_LEAD)
    response = page(client, lead, reverse("escalation:home"), FRI_11_DEC)
    assert response.context["nav_overdue_count"] == 5
    assert re.search(
        r'href="/overdue/"[^>]*>Overdue <span class="resolve-nav-count">5', body(response)
    )


def test_the_count_is_the_number_of_rows_of_the_page(client, oscb, lead_cases):
    lead = oscb.person("challenging", Role.SAFEGUARDING_LEAD)
    response = page(client, lead, OVERDUE, FRI_11_DEC)
    assert response.context["nav_overdue_count"] == len(references(response)) == 4


def test_no_count_for_people_who_are_not_leads(rf, oscb, lead_cases):
    request = rf.get("/")
    request.user = oscb.person("responding", Role.LINE_MANAGER)
    assert navigation(request)["nav_overdue_count"] == 0


def test_the_count_costs_two_small_queries(oscb, lead_cases, django_assert_num_queries):
    lead = oscb.person("responding", Role.SAFEGUARDING_LEAD)
    seats(lead)  # read once per request for every page already
    with time_machine.travel(FRI_11_DEC, tick=False), django_assert_num_queries(2):
        assert overdue_count(user=lead) == 5


def test_the_one_query_calendar_is_the_partnerships_calendar(oscb):
    ClosureDayFactory(partnership=oscb.partnership, date=dt.date(2026, 12, 14), name="Inset")
    ClosureDayFactory(partnership=oscb.partnership, date=dt.date(2026, 12, 29))
    today = dt.date(2026, 12, 11)
    ours = partnership_calendars(partnership_ids=[oscb.partnership.pk], today=today)
    theirs = partnership_calendar(partnership=oscb.partnership)
    mine = ours[oscb.partnership.pk]
    assert (mine.nation, mine.close_of_business) == (theirs.nation, theirs.close_of_business)
    assert dict(mine.closure_days) == {d: n for d, n in theirs.closure_days.items() if d >= today}
    assert due_soon_horizon(calendar=mine, now=FRI_11_DEC) == due_soon_horizon(
        calendar=theirs, now=FRI_11_DEC
    )


# --- the board's case list: who may see it ----------------------------------------------------


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("challenging", Role.PRACTITIONER),
        ("challenging", Role.LINE_MANAGER),
        ("challenging", Role.SENIOR_MANAGER),
        ("challenging", Role.SAFEGUARDING_LEAD),
        ("unrelated", Role.PRACTITIONER),
        ("unrelated", Role.LINE_MANAGER),
        ("unrelated", Role.SENIOR_MANAGER),
        ("board", Role.PARTNERSHIP_ADMIN),
    ],
)
def test_board_cases_is_403_for_anyone_but_board_staff_and_strategic_managers(
    client, oscb, where, role
):
    case = raised(oscb, MON_30_NOV)
    response = page(client, oscb.person(where, role), BOARD)
    assert response.status_code == 403
    assert case.reference not in body(response)


def test_board_staff_see_every_case_of_the_partnership(client, oscb):
    first = raised(oscb, MON_30_NOV)
    second = raised_by_unrelated(oscb, MON_7_DEC)
    with time_machine.travel(THU_10_DEC, tick=False):
        case_withdraw(
            case=first, by=first.raised_by, reason="Agreed", expected_version=first.version
        )
    response = page(client, oscb.person("board", Role.BOARD_STAFF), BOARD, FRI_11_DEC)
    assert response.status_code == 200
    assert references(response) == [second.reference, first.reference]  # newest first
    assert "2 cases, newest first" in body(response)
    assert "Withdrawn" in body(response)


def test_a_strategic_manager_sees_only_cases_that_reached_their_step(client, oscb):
    early = raised(oscb, MON_30_NOV)
    reached = escalated(oscb, raised(oscb, MON_7_DEC), times=4)  # step 5: the partnership's
    assert reached.current_step.partnership_role == Role.STRATEGIC_MANAGER

    response = page(client, oscb.person("board", Role.STRATEGIC_MANAGER), BOARD, FRI_11_DEC)

    assert references(response) == [reached.reference]
    assert early.reference not in body(response)


def test_board_staff_of_another_partnership_see_nothing_of_this_one(client, oscb):
    case = raised(oscb, MON_30_NOV)
    response = page(client, oscb.person("elsewhere", Role.BOARD_STAFF), BOARD, FRI_11_DEC)
    assert response.status_code == 200
    assert case.reference not in body(response)
    assert oscb.challenging.name not in body(response)
    assert "No cases yet." in body(response)


# --- the board's case list: filters --------------------------------------------------------------


CONFERENCE = {
    "route": "conference-dissent",
    "route_details": {
        "dissenting-professional": "Dr A. Example",
        "reason": "The plan does not address neglect.",
        "attended": "yes",
    },
}


@pytest.fixture
def board_cases(oscb, presets):
    plain = raised(oscb, at(2026, 11, 2))
    at_risk = raised(oscb, at(2026, 11, 9), risk_of_significant_harm=True)
    conference = raised(oscb, at(2026, 11, 16), category="service-provision", **CONFERENCE)
    from_unrelated = raised_by_unrelated(oscb, at(2026, 11, 23))
    step_2 = escalated(oscb, raised(oscb, at(2026, 11, 30)))
    withdrawn = raised(oscb, at(2026, 12, 1))
    with time_machine.travel(at(2026, 12, 2), tick=False):
        withdrawn = case_withdraw(
            case=withdrawn,
            by=withdrawn.raised_by,
            reason="Agreed",
            expected_version=withdrawn.version,
        )
    oscb.partnership.adopted_policy = presets["4lscb-children"]
    oscb.partnership.save()
    other_policy = raised(oscb, at(2026, 12, 7))
    return {
        "plain": plain,
        "at_risk": at_risk,
        "conference": conference,
        "from_unrelated": from_unrelated,
        "step_2": step_2,
        "withdrawn": withdrawn,
        "other_policy": other_policy,
    }


def board_filtered(client, oscb, query: str):
    return page(client, oscb.person("board", Role.BOARD_STAFF), f"{BOARD}?{query}", FRI_11_DEC)


def test_board_unfiltered_lists_all_seven_newest_first(client, oscb, board_cases):
    response = board_filtered(client, oscb, "")
    expected = sorted(board_cases.values(), key=lambda c: c.raised_at, reverse=True)
    assert references(response) == [c.reference for c in expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=withdrawn", ["withdrawn"]),
        (
            "status=open",
            ["other_policy", "step_2", "from_unrelated", "conference", "at_risk", "plain"],
        ),
        ("step=2", ["step_2"]),
        ("risk=yes", ["at_risk"]),
        ("route=conference-dissent", ["conference"]),
        ("category=service-provision", ["conference"]),
        ("status=open&risk=no&step=2", ["step_2"]),
    ],
)
def test_board_filters(client, oscb, board_cases, query, expected):
    response = board_filtered(client, oscb, query)
    assert references(response) == [board_cases[name].reference for name in expected]
    assert "the filters (7 in all)" in body(response)


def test_board_filter_by_agency(client, oscb, board_cases):
    response = board_filtered(client, oscb, f"agency={oscb.unrelated.pk}")
    assert references(response) == [board_cases["from_unrelated"].reference]


def test_board_filter_by_policy(client, oscb, board_cases, presets):
    response = board_filtered(client, oscb, f"policy={presets['4lscb-children'].pk}")
    assert references(response) == [board_cases["other_policy"].reference]


def test_board_filter_by_dates_raised_includes_both_days(client, oscb, board_cases):
    query = (
        "raised_from_day=9&raised_from_month=11&raised_from_year=2026"
        "&raised_to_day=23&raised_to_month=11&raised_to_year=2026"
    )
    response = board_filtered(client, oscb, query)
    assert references(response) == [
        board_cases[n].reference for n in ("from_unrelated", "conference", "at_risk")
    ]


def test_board_filter_from_a_date_alone(client, oscb, board_cases):
    response = board_filtered(
        client, oscb, "raised_from_day=1&raised_from_month=12&raised_from_year=2026"
    )
    assert references(response) == [board_cases[n].reference for n in ("other_policy", "withdrawn")]


def test_board_route_and_category_are_named_in_words(client, oscb, board_cases):
    html = body(board_filtered(client, oscb, "route=conference-dissent"))
    assert "Dissent at a Child Protection Conference" in html
    assert "Service provision" in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("status=lost", "status", "Select a status from the list"),
        ("step=x", "step", "Select a step from the list"),
        ("agency=0", "agency", "Select an agency from the list"),
        ("policy=0", "policy", "Select a policy from the list"),
        ("route=nowhere", "route", "Select a route from the list"),
        ("category=gossip", "category", "Select a category from the list"),
        ("risk=perhaps", "risk", "Select a risk from the list"),
        (
            "raised_from_day=31&raised_from_month=2&raised_from_year=2026",
            "raised_from_day",
            "The earliest date raised must be a real date",
        ),
        (
            "raised_from_day=1&raised_from_month=13&raised_from_year=2026",
            "raised_from_month",
            "The earliest date raised must be a real date",
        ),
        (
            "raised_from_day=1&raised_from_year=2026",
            "raised_from_month",
            "The earliest date raised must include a month",
        ),
        (
            "raised_to_year=2026",
            "raised_to_day",
            "The latest date raised must include a day and a month",
        ),
        (
            "raised_to_day=one&raised_to_month=1&raised_to_year=2026",
            "raised_to_day",
            "The latest date raised must be a real date",
        ),
        (
            "raised_to_day=1&raised_to_month=1&raised_to_year=26",
            "raised_to_year",
            "Year must include 4 numbers",
        ),
        (
            "raised_from_day=2&raised_from_month=12&raised_from_year=2026"
            "&raised_to_day=1&raised_to_month=12&raised_to_year=2026",
            "raised_to_day",
            "The latest date raised must be the same as or after the earliest date raised",
        ),
    ],
)
def test_board_filter_errors(client, oscb, board_cases, query, field, message):
    response = board_filtered(client, oscb, query)
    html = body(response)
    assert response.status_code == 200
    assert title(response).startswith("Error: ")
    assert error_summary(response) == [message]
    assert f'href="#id_{field}"' in html
    assert references(response) == []
    if field.startswith("raised_"):
        # The box at fault is marked, and the entered value is kept.
        assert re.search(rf'govuk-input--error" id="id_{field}"', html)


def test_board_pages_hold_50_cases_with_govuk_pagination(client, oscb):
    with time_machine.travel(MON_30_NOV, tick=True):
        made = [oscb.raise_case() for _ in range(51)]
    board = oscb.person("board", Role.BOARD_STAFF)

    first = page(client, board, f"{BOARD}?risk=no", FRI_11_DEC)
    second = page(client, board, f"{BOARD}?risk=no&page=2", FRI_11_DEC)

    assert len(references(first)) == 50
    assert references(second) == [made[0].reference]  # the oldest, on page 2
    assert '<nav class="govuk-pagination" aria-label="Pagination">' in body(first)
    assert 'href="?risk=no&amp;page=2" rel="next"' in body(first)
    assert 'aria-current="page">1</a>' in body(first)
    assert 'href="?risk=no&amp;page=1" rel="prev"' in body(second)
    assert "page 2 of 2" in body(second)


def test_a_page_past_the_end_shows_the_last(client, oscb):
    case = raised(oscb, MON_30_NOV)
    response = page(client, oscb.person("board", Role.BOARD_STAFF), f"{BOARD}?page=9", FRI_11_DEC)
    assert references(response) == [case.reference]
    assert "govuk-pagination" not in body(response)


# --- the policy pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("challenging", Role.PRACTITIONER),
        ("unrelated", Role.SAFEGUARDING_LEAD),
        ("board", Role.BOARD_STAFF),
        ("board", Role.PARTNERSHIP_ADMIN),
    ],
)
def test_anyone_in_the_partnership_reads_the_policies(client, oscb, where, role):
    response = page(client, oscb.person(where, role), POLICIES)
    html = body(response)
    assert response.status_code == 200
    for file in preset_files():
        assert f'href="/policies/{file.stem}/"' in html
    assert html.count("Adopted by your partnership") == 1
    assert re.search(
        r'oscb-children/">[^<]+</a>\s*<br><strong class="govuk-tag govuk-tag--green">Adopted', html
    )


def test_a_person_of_no_partnership_gets_403(client, oscb):
    nobody = UserFactory(username="nobody")
    for url in (POLICIES, policy_url("oscb-children"), timeline_url("oscb-children")):
        assert page(client, nobody, url).status_code == 403


def test_the_oscb_policy_in_words(client, oscb):
    response = page(
        client, oscb.person("challenging", Role.PRACTITIONER), policy_url("oscb-children")
    )
    html = body(response)
    assert response.status_code == 200
    assert (
        '<h1 class="govuk-heading-l">Oxfordshire Resolving Professional Concerns and Disagreements</h1>'
        in html
    )
    # Both routes, each step, who acts with the titles, the rules in words.
    assert "Standard route: Resolving professional concerns and disagreements" in html
    assert "Special route: Dissent at a Child Protection Conference" in html
    assert "Step 3: Step 3 - Safeguarding lead of the challenging agency" in html
    assert "<strong>Responding agency</strong>: Senior manager (Relevant Service Manager)" in html
    assert "<strong>Partnership</strong>: Strategic safeguarding manager" in html
    assert "5 working days from the start of the step" in html
    assert "Before step 1 (a target beside it): Initial attempt to resolve" in html
    # Step 1 may be skipped when at risk; the description is there.
    step_1 = html.split("Step 1: Step 1 - Challenging professional")[1].split(
        "govuk-summary-card__title"
    )[0]
    assert re.search(
        r"May be skipped when there is a risk of significant harm</dt><dd[^>]*>Yes", step_1
    )
    assert "The challenging professional consults co-workers" in step_1
    # The categories and what the procedure is not for.
    assert "Information sharing and communication" in html
    assert "Gaps in provision (section 7)" in html
    assert "Self-Harm Forums" in html
    # The questions a special route asks.
    assert "Name of the dissenting professional" in html


def test_rules_that_differ_when_at_risk_and_counted_from_the_raising(client, oscb):
    practitioner = oscb.person("challenging", Role.PRACTITIONER)
    sab = body(page(client, practitioner, policy_url("sab-adults")))
    assert "No deadline" not in sab  # version 3: 5 working days a step without risk
    assert "Close of business on the working day the step starts" in sab
    ssab = body(page(client, practitioner, policy_url("ssab-adults")))
    assert "5 working days from the raising of the case" in ssab
    lscb = body(page(client, practitioner, policy_url("4lscb-children")))
    assert re.search(r"Meeting required</dt><dd[^>]*>Yes", lscb)
    assert "Close of business on the working day the case is raised" not in lscb


def test_an_unknown_policy_is_404(client, oscb):
    user = oscb.person("board", Role.BOARD_STAFF)
    assert page(client, user, policy_url("no-such-policy")).status_code == 404
    assert page(client, user, timeline_url("no-such-policy")).status_code == 404


def test_another_partnerships_own_policy_is_404_and_not_listed(client, oscb, presets):
    admin = oscb.person("elsewhere", Role.PARTNERSHIP_ADMIN)
    elsewhere = Membership.objects.get(user=admin).agency.partnership
    draft = policy_copy_to_draft(policy=presets["oscb-children"], partnership=elsewhere, by=admin)
    slug = draft.policy.slug
    board = oscb.person("board", Role.BOARD_STAFF)

    # A draft, then published: never readable in this partnership.
    assert page(client, board, policy_url(slug)).status_code == 404
    policy_publish(version=draft, by=admin)
    assert page(client, board, policy_url(slug)).status_code == 404
    assert page(client, board, timeline_url(slug)).status_code == 404
    assert slug not in body(page(client, board, POLICIES))
    # Their own people read it.
    assert (
        page(client, oscb.person("elsewhere", Role.BOARD_STAFF), policy_url(slug)).status_code
        == 200
    )


def test_the_partnerships_own_policy_is_readable_once_published(client, oscb, presets):
    admin = oscb.person("board", Role.PARTNERSHIP_ADMIN)
    draft = policy_copy_to_draft(
        policy=presets["oscb-children"], partnership=oscb.partnership, by=admin
    )
    practitioner = oscb.person("challenging", Role.PRACTITIONER)
    assert page(client, practitioner, policy_url(draft.policy.slug)).status_code == 404
    policy_publish(version=draft, by=admin)
    response = page(client, practitioner, policy_url(draft.policy.slug))
    assert response.status_code == 200
    assert f"Own policy of {oscb.partnership.name}" in body(response)


# --- the timeline preview ------------------------------------------------------------------


def timeline_query(**values: str) -> str:
    fields = {
        "start_day": "23",
        "start_month": "12",
        "start_year": "2026",
        "start_hour": "15",
        "start_minute": "00",
        "nation": "england",
        "route": "standard",
    }
    fields.update(values)
    return "&".join(f"{k}={v}" for k, v in fields.items() if v is not None)


def preview(client, oscb, slug: str = "oscb-children", **values: str):
    user = oscb.person("board", Role.BOARD_STAFF)
    return page(client, user, f"{timeline_url(slug)}?{timeline_query(**values)}")


def rows_of(response) -> list[list[str]]:
    table = body(response).split("<tbody")[1].split("</tbody>")[0]
    rows = []
    for row in table.split("</tr>")[:-1]:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append(
            [html_text.unescape(" ".join(re.sub(r"<[^>]+>", " ", cell).split())) for cell in cells]
        )
    return rows


def test_the_worked_example_of_design_md(client, oscb):
    response = preview(client, oscb)
    html = body(response)
    assert response.status_code == 200
    assert not title(response).startswith("Error")
    rows = rows_of(response)
    step_1 = next(r for r in rows if r[0].startswith("Step 1"))
    assert step_1[1] == "15:00 Wed 23 Dec 2026"
    assert step_1[2] == "17:00 Mon 4 Jan 2027"
    assert "skipped Fri 25 Dec Christmas Day" in step_1[3]
    assert [r[2] for r in rows if r[0].startswith("Step")] == [
        "17:00 Mon 4 Jan 2027",
        "17:00 Tue 12 Jan 2027",
        "17:00 Wed 20 Jan 2027",
        "17:00 Thu 28 Jan 2027",
        "17:00 Fri 5 Feb 2027",
    ]
    assert "raised 15:00 Wed 23 Dec 2026, England, no risk of significant harm flagged" in html


def test_the_page_shows_what_the_command_shows(client, oscb):
    out = StringIO()
    call_command(
        "policy_timeline",
        "ssab-adults",
        "--nation",
        "northern-ireland",
        "--start",
        "2027-03-12T12:00",
        "--json",
        stdout=out,
    )
    expected = json.loads(out.getvalue())["steps"]
    response = preview(
        client,
        oscb,
        "ssab-adults",
        start_day="12",
        start_month="3",
        start_year="2027",
        start_hour="12",
        nation="northern-ireland",
    )
    rows = rows_of(response)
    assert [r[2] for r in rows] == [
        moment(dt.datetime.fromisoformat(s["due"])) if s["due"] else "Never" for s in expected
    ]
    assert [r[3] for r in rows] == [s["explanation"] for s in expected]


def test_risk_and_nation_change_the_timeline(client, oscb):
    response = preview(
        client,
        oscb,
        "sab-adults",
        start_day="1",
        start_month="5",
        start_year="2027",
        start_hour="10",
        nation="wales",
        risk="on",
    )
    dues = [r[2] for r in rows_of(response)]
    assert dues == [
        "17:00 Tue 4 May 2027",
        "17:00 Wed 5 May 2027",
        "17:00 Thu 6 May 2027",
        "17:00 Fri 7 May 2027",
    ]
    assert "risk of significant harm</caption>" in body(response)
    without = rows_of(
        preview(
            client,
            oscb,
            "sab-adults",
            start_day="1",
            start_month="5",
            start_year="2027",
            start_hour="10",
            nation="wales",
        )
    )
    # without the risk, 5 working days a step (SAB version 3; Mon 31 May is a bank holiday)
    assert [r[2] for r in without] == [
        "17:00 Tue 11 May 2027",
        "17:00 Wed 19 May 2027",
        "17:00 Thu 27 May 2027",
        "17:00 Mon 7 Jun 2027",
    ]
    assert without[1][1] == "17:00 Tue 11 May 2027"  # step 2 starts when step 1 is due


def test_another_route(client, oscb):
    response = preview(client, oscb, route="conference-dissent")
    rows = rows_of(response)
    assert rows[0][0].startswith("Step 1 Conversation between the Independent Chair")
    assert "Dissent at a Child Protection Conference: raised" in body(response)


def test_the_empty_form_is_filled_with_now_and_the_partnerships_nation(client, presets):
    from tests.escalation.world import build_world

    world = build_world(policy=presets["ssab-adults"], nation="scotland", code="SCO")
    response = page(
        client,
        world.person("challenging", Role.PRACTITIONER),
        timeline_url("oscb-children"),
        at(2027, 2, 3, 9, 41),
    )
    html = body(response)
    assert response.status_code == 200
    assert "<tbody" not in html  # no timeline until asked
    assert 'name="start_day" type="text" inputmode="numeric" value="3"' in html
    assert 'name="start_hour" type="text" inputmode="numeric" value="09"' in html
    assert 'value="scotland" checked' in html
    assert 'value="standard" checked' in html


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"start_day": "30", "start_month": "2"},
            "start_day",
            "The date the case is raised must be a real date",
        ),
        ({"start_month": "14"}, "start_month", "The date the case is raised must be a real date"),
        ({"start_day": "x"}, "start_day", "The date the case is raised must be a real date"),
        ({"start_month": ""}, "start_month", "The date the case is raised must include a month"),
        (
            {"start_day": "", "start_month": "", "start_year": ""},
            "start_day",
            "Enter the date the case is raised",
        ),
        ({"start_year": "27"}, "start_year", "Year must include 4 numbers"),
        ({"start_hour": "", "start_minute": ""}, "start_hour", "Enter the time the case is raised"),
        ({"start_minute": ""}, "start_minute", "The time the case is raised must include a minute"),
        ({"start_hour": ""}, "start_hour", "The time the case is raised must include an hour"),
        (
            {"start_hour": "25"},
            "start_hour",
            "The time the case is raised must be a real time on the 24-hour clock, from 00:00 to 23:59",
        ),
        (
            {"start_minute": "60"},
            "start_minute",
            "The time the case is raised must be a real time on the 24-hour clock, from 00:00 to 23:59",
        ),
        (
            {
                "start_day": "28",
                "start_month": "3",
                "start_year": "2027",
                "start_hour": "01",
                "start_minute": "30",
            },
            "start_hour",
            "There is no 01:30 on 28 March 2027 in the UK: the clocks go forward an hour at 01:00 that night. Enter a time before 01:00 or from 02:00",
        ),
        (
            {
                "start_day": "31",
                "start_month": "10",
                "start_year": "2027",
                "start_hour": "01",
                "start_minute": "30",
            },
            "start_hour",
            "01:30 on 31 October 2027 happens twice in the UK: the clocks go back an hour at 02:00 that night. Enter a time before 01:00 or from 02:00",
        ),
        ({"nation": "ireland"}, "nation_0", "Select England, Wales, Scotland or Northern Ireland"),
        ({"nation": None}, "nation_0", "Select whose bank holidays count"),
        ({"route": "mash-contact-referral"}, "route_0", "Select one of this policy's routes"),
        ({"route": None}, "route_0", "Select a route"),
    ],
)
def test_timeline_form_errors(client, oscb, values, field, message):
    response = preview(client, oscb, **values)
    html = body(response)
    assert response.status_code == 200
    assert title(response).startswith("Error: Timeline preview")
    assert error_summary(response) == [message]
    assert f'href="#id_{field}"' in html
    assert "<tbody" not in html  # no timeline from bad input
    assert "Traceback" not in html


def test_board_unfiltered_counts_the_cases_once(client, oscb, board_cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = board_filtered(client, oscb, "")
    counts = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "escalation_case"')
    ]
    assert len(references(response)) == len(board_cases)
    assert len(counts) == 1
