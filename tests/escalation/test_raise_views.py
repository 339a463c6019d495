"""The raise-a-challenge question pages: the journeys, every form error, and who may use them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from agencies.calendars import LONDON
from agencies.enums import Role
from agencies.models import Membership
from escalation.enums import DueSetBy
from escalation.models import Case
from escalation.pages.raising import SESSION_KEY
from tests.factories import AgencyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

# Monday 23 November 2026, 10:00 UK time: a working day in every nation.
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def practitioner(world: Any) -> Any:
    return world.person("challenging", Role.PRACTITIONER)


def key_of(url: str) -> str:
    """'/raise/<draft>/question/reason/' -> 'question/reason'."""
    return "/".join(url.strip("/").split("/")[2:])


def answers(world: Any, *, route: str = "standard", **extra: Any) -> dict[str, dict[str, Any]]:
    """A good answer for each page, by page key."""
    adults = world.audience == "adults"
    found: dict[str, dict[str, Any]] = {
        "route": {"route": route},
        "agency": {"responding_agency": world.responding.pk},
        "professional": {
            "responding_professional": "A. Social Worker, duty team",
            "responding_person": world.person("responding", Role.PRACTITIONER).pk,
        },
        "subject": {
            "subject_kind": "adult" if adults else "child",
            "subject_initials": "j.d",
            "subject_age_band": "26-64" if adults else "5-10",
        },
        "records": {"challenging_record_number": "H-123", "responding_record_number": ""},
        "category": {"category": "criteria-for-referrals"},
        "disagreement": {
            "disagreement": "The referral was closed without an assessment.",
            "impact": "JD is left without support at home.",
        },
        "risk": {"risk": "no"},
        "due": {"due_day": "", "due_month": "", "due_year": "", "due_time": ""},
    }
    found.update(extra)
    return found


def begin(client: Client, user: Any) -> str:
    """Sign in and start a raising; the address of its first page."""
    client.force_login(user)
    response = client.get(reverse("escalation:raise"))
    assert response.status_code == 302
    return response.url


def walk(
    client: Client, url: str, given: dict[str, dict[str, Any]], *, until: str = "check"
) -> str:
    """Answer page after page with `given` until the page `until`; its address."""
    for _ in range(20):
        if key_of(url) == until:
            return url
        page = client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        assert_question_page(body(page), given[key_of(url)])
        response = client.post(url, given[key_of(url)])
        assert response.status_code == 302, (url, response.content.decode()[:3000])
        url = response.url
    raise AssertionError(f"never reached {until}")


def assert_question_page(text: str, data: dict[str, Any]) -> None:
    """A GOV.UK question page: a Back link, one h1, a Continue button, and the fields posted."""
    assert 'class="govuk-back-link"' in text
    assert text.count("<h1") == 1
    assert ">Continue</button>" in text
    assert 'name="csrfmiddlewaretoken"' in text
    for name in data:
        assert f'name="{name}"' in text, name


def draft_of(url: str) -> str:
    return url.strip("/").split("/")[1]


def body(response: Any) -> str:
    return response.content.decode()


def assert_error_page(response: Any, message: str) -> None:
    text = body(response)
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "govuk-error-summary" in text
    assert message in text
    assert re.search(r"<title>\s*Error: ", text)


# --- the journeys ------------------------------------------------------------------------


def test_oscb_standard_route_whole_journey(client, oscb, monday):
    url = begin(client, practitioner(oscb))
    assert key_of(url) == "route"
    route_page = body(client.get(url))
    assert "Resolving professional concerns and disagreements" in route_page
    assert "Dissent at a Child Protection Conference" in route_page
    assert "Gaps in provision (section 7)" in route_page
    assert "Emergencies (section 5)" in route_page
    # The standard route is listed first.
    assert route_page.index('value="standard"') < route_page.index('value="conference-dissent"')
    assert f'href="{reverse("escalation:home")}" class="govuk-back-link"' in route_page

    check_url = walk(client, url, answers(oscb))
    check = body(client.get(check_url))
    assert "Check your answers before raising the challenge" in check
    for shown in (
        "County Social Care",
        "A. Social Worker, duty team",
        "initials JD",
        "5 to 10",
        "H-123",
        "Criteria for referrals",
        "The referral was closed without an assessment.",
        "By the policy&#x27;s timescale",
    ):
        assert shown in check
    assert check.count("govuk-summary-list__row") >= 10
    assert "?from=check" in check
    assert Case.objects.count() == 0

    response = client.post(check_url)
    assert response.status_code == 302
    assert key_of(response.url) == "done"
    case = Case.objects.get()
    assert case.route == "standard"
    assert case.raised_by == practitioner(oscb)
    assert case.challenging_agency == oscb.challenging
    assert case.responding_agency == oscb.responding
    assert case.responding_person == oscb.person("responding", Role.PRACTITIONER)
    assert case.subject_initials == "JD"
    assert case.subject_age_band == "5-10"
    assert case.challenging_record_number == "H-123"
    assert case.category == "criteria-for-referrals"
    assert case.risk_of_significant_harm is False
    assert case.route_details == {}

    done = body(client.get(response.url))
    assert "govuk-panel--confirmation" in done
    assert case.reference in done
    # 5 working days from Monday 23 November 2026 in England.
    assert "17:00 Mon 30 Nov 2026" in done
    assert case.current_step.due_explanation in done
    assert "How this was worked out" in done
    assert "Initial attempt to resolve between the practitioners" in done  # step 0, beside it
    assert "Step 5 - Local Authority Deputy Director for Safeguarding" in done
    # The answers left the session once the case kept them.
    assert client.session[SESSION_KEY][draft_of(url)]["answers"] == {}


def test_4lscb_mash_route_asks_the_policys_questions(client, lscb, monday):
    url = begin(client, practitioner(lscb))
    reason_url = walk(
        client, url, answers(lscb, route="mash-contact-referral"), until="question/reason"
    )
    reason = body(client.get(reason_url))
    assert "What is the disagreement about?" in reason
    for typical in (
        "eligibility criteria for assessment",
        "further information should be sought by the referrer",
        "child protection procedures should be invoked",
        "single/joint agency response",
        "need to convene an Initial Child Protection",
    ):
        assert typical in reason
    assert reason.count('class="govuk-radios__input"') == 5
    response = client.post(reason_url, {"answer": "single-or-joint-response"})
    assert key_of(response.url) == "question/consent"

    consent = body(client.get(response.url))
    assert "Do the parent/carer(s) know about and agree to the contact/referral?" in consent
    assert consent.count('class="govuk-radios__input"') == 5  # consent, or one of 4 exceptions
    for exception in ("significant harm", "crime", "thresholds for tier 3 or 4", "(FII)"):
        assert exception in consent
    response = client.post(response.url, {"answer": "crime"})
    assert key_of(response.url) == "disagreement"

    given = answers(lscb, route="mash-contact-referral")
    given["risk"] = {"risk": "yes"}
    # Stage 1 is due at 17:00 Tue 24 Nov (1 working day, Wales); ask for 16:00 Monday.
    given["due"] = {"due_day": "23", "due_month": "11", "due_year": "2026", "due_time": "16:00"}
    check_url = walk(client, response.url, given)
    check = body(client.get(check_url))
    assert "Children&#x27;s Social Care Services and the Police" in check
    assert "seeking consent would undermine the prevention" in check
    assert "Earlier: 16:00 Mon 23 Nov 2026" in check

    done = client.post(check_url)
    assert done.status_code == 302
    case = Case.objects.get()
    assert case.route == "mash-contact-referral"
    assert case.route_details == {"reason": "single-or-joint-response", "consent": "crime"}
    assert case.risk_of_significant_harm is True
    assert case.current_step.due_at == dt.datetime(2026, 11, 23, 16, 0, tzinfo=LONDON)
    assert case.current_step.due_set_by == DueSetBy.EARLIER
    page = body(client.get(done.url))
    assert "16:00 Mon 23 Nov 2026" in page
    assert "Team Manager / Sergeant" in page
    assert "Deputy or Assistant Director / Chief Inspector" in page


@pytest.mark.parametrize("world_name", ["oscb", "lscb"])
def test_conference_dissent_route_records_the_dissenting_professional(
    client, request, world_name, monday
):
    world = request.getfixturevalue(world_name)
    url = begin(client, practitioner(world))
    given = answers(world, route="conference-dissent")
    first = walk(client, url, given, until="question/attended")
    # The question that can stop the raising is asked before the others.
    page = body(client.get(first))
    assert "Did the dissenting professional attend the conference?" in page
    assert "Who may use this route" in page
    response = client.post(first, {"answer": "yes"})
    assert key_of(response.url) == "question/dissenting-professional"
    response = client.post(response.url, {"answer": "Dr A. Khan, GP"})
    assert key_of(response.url) == "question/reason"
    response = client.post(response.url, {"answer": "The plan does not protect JD."})
    check_url = walk(client, response.url, given)
    client.post(check_url)
    case = Case.objects.get()
    assert case.route == "conference-dissent"
    assert case.route_details == {
        "attended": "yes",
        "dissenting-professional": "Dr A. Khan, GP",
        "reason": "The plan does not protect JD.",
    }


@pytest.mark.parametrize("world_name", ["oscb", "lscb"])
def test_a_dissent_by_someone_not_at_the_conference_is_refused(client, request, world_name):
    world = request.getfixturevalue(world_name)
    url = begin(client, practitioner(world))
    attended = walk(
        client, url, answers(world, route="conference-dissent"), until="question/attended"
    )
    response = client.post(attended, {"answer": "no"})
    assert response.status_code == 302
    assert "cannot-use-route/attended/no" in response.url
    page = body(client.get(response.url))
    assert "You cannot use this route" in page
    assert "only by a professional who attended the conference" in page
    assert "only while the conference is being recorded" in page
    assert "Nothing has been raised." in page
    # The refused answer is not kept, so the raising cannot reach check your answers.
    draft = client.session[SESSION_KEY][draft_of(url)]
    assert "attended" not in draft["answers"]["details"]
    check = client.get(reverse("escalation:raise_check", args=[draft_of(url)]))
    assert key_of(check.url) == "question/attended"
    assert Case.objects.count() == 0


def test_oscb_refusal_shows_the_policys_guidance(client, oscb):
    url = begin(client, practitioner(oscb))
    attended = walk(
        client, url, answers(oscb, route="conference-dissent"), until="question/attended"
    )
    page = body(client.get(client.post(attended, {"answer": "no"}).url))
    assert "Use the standard route for a disagreement about the plan." in page


@pytest.mark.parametrize(
    ("matter", "says"),
    [
        ("gaps-in-provision", ["Missing and Exploited Panels", "MARAC", "MAPPA"]),
        ("emergencies", ["on a daily basis", "senior managers"]),
    ],
)
def test_matters_not_for_this_procedure_point_elsewhere_and_raise_nothing(
    client, oscb, matter, says
):
    url = begin(client, practitioner(oscb))
    response = client.post(url, {"route": f"not:{matter}"})
    assert response.status_code == 302
    assert f"not-for-this-procedure/{matter}" in response.url
    page = body(client.get(response.url))
    assert "is not for this procedure" in page
    assert "Nothing has been raised." in page
    for words in says:
        assert words in page
    assert "route" not in client.session[SESSION_KEY][draft_of(url)]["answers"]
    assert Case.objects.count() == 0


def test_unknown_matter_is_404(client, oscb):
    url = begin(client, practitioner(oscb))
    response = client.get(
        reverse("escalation:raise_not_for", args=[draft_of(url), "something-else"])
    )
    assert response.status_code == 404


def test_a_policy_with_one_route_skips_the_route_chooser(client, sab, monday):
    url = begin(client, practitioner(sab))
    assert key_of(url) == "agency"
    subject_url = walk(client, url, answers(sab), until="subject")
    subject = body(client.get(subject_url))
    assert 'type="hidden" name="subject_kind" value="adult"' in subject
    assert 'value="child"' not in subject
    assert 'value="5-10"' not in subject
    risk_url = walk(client, subject_url, answers(sab), until="risk")
    risk = body(client.get(risk_url))
    assert "Every step is due by close of business on the working day it starts" in risk
    assert "(without the risk: due within 5 working days)" in risk
    given = answers(sab, risk={"risk": "yes"})
    check_url = walk(client, risk_url, given)
    client.post(check_url)
    case = Case.objects.get()
    assert case.subject_kind == "adult"
    assert case.risk_of_significant_harm is True
    # Same working day: 17:00 Monday 23 November.
    assert case.current_step.due_at == dt.datetime(2026, 11, 23, 17, 0, tzinfo=LONDON)


def test_ssab_risk_page_says_which_stages_may_be_skipped(client, ssab):
    url = begin(client, practitioner(ssab))
    risk_url = walk(client, url, answers(ssab), until="risk")
    risk = body(client.get(risk_url))
    assert "Stage One - Line Manager to Line Manager and Stage Two - Senior Manager review" in risk
    assert "may be skipped" in risk


def test_oscb_risk_page_says_step_1_may_be_skipped(client, oscb):
    url = begin(client, practitioner(oscb))
    risk_url = walk(client, url, answers(oscb), until="risk")
    risk = body(client.get(risk_url))
    assert (
        "Step 1 - Challenging professional with their peer in the other agency may be skipped"
        in risk
    )
    assert "Is the child at risk of significant harm?" in risk


def test_4lscb_risk_page_says_the_timescales_stay(client, lscb):
    url = begin(client, practitioner(lscb))
    risk_url = walk(client, url, answers(lscb), until="risk")
    assert "This policy keeps the same timescales" in body(client.get(risk_url))


def test_due_page_shows_the_policys_due_moment_and_how(client, oscb, monday):
    url = begin(client, practitioner(oscb))
    due_url = walk(client, url, answers(oscb), until="due")
    page = body(client.get(due_url))
    assert "17:00 Mon 30 Nov 2026" in page
    assert "How this was worked out" in page
    assert "5 working days from Mon 23 Nov 2026 (day 0), England" in page
    assert 'class="govuk-date-input"' in page


def test_change_link_comes_back_to_check_your_answers(client, oscb):
    url = begin(client, practitioner(oscb))
    check_url = walk(client, url, answers(oscb))
    category_url = check_url.replace("/check/", "/category/")
    page = body(client.get(category_url + "?from=check"))
    assert f'href="{check_url}" class="govuk-back-link"' in page
    assert 'value="criteria-for-referrals" checked' in page
    response = client.post(category_url + "?from=check", {"category": "service-provision"})
    assert response.url == check_url
    assert "Service provision" in body(client.get(check_url))


def test_changing_the_route_asks_the_new_routes_questions(client, lscb):
    url = begin(client, practitioner(lscb))
    check_url = walk(client, url, answers(lscb))
    route_url = check_url.replace("/check/", "/route/")
    response = client.post(route_url, {"route": "conference-need"})
    assert key_of(response.url) == "question/involvement"
    # Check your answers sends the person to the question not yet answered.
    assert key_of(client.get(check_url).url) == "question/involvement"


def test_changing_the_risk_asks_for_the_due_moment_again(client, oscb):
    url = begin(client, practitioner(oscb))
    check_url = walk(client, url, answers(oscb))
    response = client.post(check_url.replace("/check/", "/risk/"), {"risk": "yes"})
    assert key_of(response.url) == "due"


def test_two_raisings_in_two_tabs_do_not_mix(client, oscb):
    first = begin(client, practitioner(oscb))
    second = client.get(reverse("escalation:raise")).url
    assert draft_of(first) != draft_of(second)
    walk(client, first, answers(oscb, category={"category": "service-provision"}))
    walk(client, second, answers(oscb, category={"category": "outcomes-of-assessments"}))
    one = body(client.get(reverse("escalation:raise_check", args=[draft_of(first)])))
    two = body(client.get(reverse("escalation:raise_check", args=[draft_of(second)])))
    assert "Service provision" in one and "Outcomes of assessments" not in one
    assert "Outcomes of assessments" in two and "Service provision" not in two
    client.post(reverse("escalation:raise_check", args=[draft_of(second)]))
    assert Case.objects.get().category == "outcomes-of-assessments"


def test_a_raising_is_submitted_once(client, oscb):
    url = begin(client, practitioner(oscb))
    check_url = walk(client, url, answers(oscb))
    client.post(check_url)
    again = client.post(check_url)
    assert again.status_code == 302
    assert key_of(again.url) == "done"
    assert key_of(client.get(check_url.replace("/check/", "/route/")).url) == "done"
    assert Case.objects.count() == 1


def test_a_person_with_two_agencies_chooses_which_to_raise_for(client, oscb):
    person = practitioner(oscb)
    MembershipFactory(user=person, agency=oscb.unrelated, role=Role.PRACTITIONER)
    client.force_login(person)
    start = client.get(reverse("escalation:raise"))
    page = body(start)
    assert start.status_code == 200
    assert "Which agency are you raising this challenge for?" in page
    assert "Hillside Health" in page and "Valley Police" in page
    response = client.post(reverse("escalation:raise"), {"agency": oscb.unrelated.pk})
    assert key_of(response.url) == "route"
    check_url = walk(client, response.url, answers(oscb))
    check = body(client.get(check_url))
    assert "Raising for" in check and "Valley Police" in check
    client.post(check_url)
    assert Case.objects.get().challenging_agency == oscb.unrelated


def test_changing_the_agency_raised_for_keeps_the_other_answers(client, oscb):
    person = practitioner(oscb)
    MembershipFactory(user=person, agency=oscb.unrelated, role=Role.PRACTITIONER)
    client.force_login(person)
    response = client.post(reverse("escalation:raise"), {"agency": oscb.challenging.pk})
    check_url = walk(client, response.url, answers(oscb))
    response = client.post(check_url.replace("/check/", "/for/"), {"agency": oscb.unrelated.pk})
    assert response.url == check_url
    client.post(check_url)
    case = Case.objects.get()
    assert case.challenging_agency == oscb.unrelated
    assert case.responding_agency == oscb.responding


def test_the_agency_you_disagree_with_lists_only_other_agencies(client, oscb):
    url = begin(client, practitioner(oscb))
    agency_url = walk(client, url, answers(oscb), until="agency")
    page = body(client.get(agency_url))
    assert "County Social Care" in page and "Valley Police" in page
    assert "Hillside Health" not in page.split("<main")[1]
    assert "The Board" not in page
    assert "Elsewhere Trust" not in page


def test_professional_page_offers_the_resolve_users_of_that_agency(client, oscb):
    url = begin(client, practitioner(oscb))
    page_url = walk(client, url, answers(oscb), until="professional")
    page = body(client.get(page_url))
    responder = oscb.person("responding", Role.PRACTITIONER)
    assert f'value="{responder.pk}"' in page
    assert "Not listed, or I do not know" in page
    other = oscb.person("unrelated", Role.PRACTITIONER)
    assert f'value="{other.pk}"' not in page
    board = oscb.person("board", Role.BOARD_STAFF)
    assert f'value="{board.pk}"' not in page


# --- every form error --------------------------------------------------------------------

DATE = {"due_day": "24", "due_month": "11", "due_year": "2026"}
SUBJECT = {"subject_kind": "child", "subject_initials": "JD", "subject_age_band": "5-10"}
PERSON = {"responding_professional": "A. Person"}

# (page, what is posted, the error shown). "@name" is read from the world by `resolve`.
FORM_ERRORS = [
    ("route", {}, "Select the kind of disagreement"),
    ("route", {"route": "fast-track"}, "Select one of the kinds of disagreement listed"),
    ("agency", {}, "Select the agency you disagree with"),
    ("agency", {"responding_agency": "abc"}, "Select one of the agencies listed"),
    ("agency", {"responding_agency": "@own-agency"}, "Select one of the agencies listed"),
    ("agency", {"responding_agency": "@board-agency"}, "Select one of the agencies listed"),
    ("agency", {"responding_agency": "@elsewhere-agency"}, "Select one of the agencies listed"),
    ("professional", {}, "Enter the name and role of the professional you disagree with"),
    (
        "professional",
        {"responding_professional": "   "},
        "Enter the name and role of the professional you disagree with",
    ),
    (
        "professional",
        {"responding_professional": "x" * 201},
        "The name and role must be 200 characters or fewer",
    ),
    (
        "professional",
        {**PERSON, "responding_person": "@unrelated-person"},
        "Select a person from the list, or &#x27;Not listed&#x27;",
    ),
    (
        "professional",
        {**PERSON, "responding_person": "nobody"},
        "Select a person from the list, or &#x27;Not listed&#x27;",
    ),
    ("subject", {}, "Select who the disagreement is about"),
    ("subject", {}, "Enter their initials"),
    ("subject", {}, "Select their age band"),
    ("subject", {**SUBJECT, "subject_initials": "J5"}, "Enter initials only: 1 to 4 letters"),
    ("subject", {**SUBJECT, "subject_initials": "ABCDE"}, "Enter initials only: 1 to 4 letters"),
    ("subject", {**SUBJECT, "subject_kind": "adult"}, "Select one of the answers listed"),
    ("subject", {**SUBJECT, "subject_age_band": "99"}, "Select one of the age bands listed"),
    (
        "subject",
        {**SUBJECT, "subject_age_band": "18-25"},
        "A child is under 18: select an age band under 18",
    ),
    (
        "subject",
        {**SUBJECT, "subject_kind": "young_person"},
        "A care-experienced young person is 16 to 25",
    ),
    (
        "records",
        {"challenging_record_number": "1" * 51},
        "Your agency&#x27;s record number must be 50 characters or fewer",
    ),
    (
        "records",
        {"responding_record_number": "1" * 51},
        "The other agency&#x27;s record number must be 50 characters or fewer",
    ),
    ("category", {}, "Select what the disagreement is about"),
    ("category", {"category": "money"}, "Select one of the answers listed"),
    ("disagreement", {"impact": "Some impact."}, "Enter what you disagree with"),
    ("disagreement", {"disagreement": "Some disagreement."}, "Enter the impact"),
    (
        "disagreement",
        {"disagreement": "x" * 5001, "impact": "Some impact."},
        "What you disagree with must be 5,000 characters or fewer",
    ),
    (
        "disagreement",
        {"disagreement": "Some disagreement.", "impact": "x" * 5001},
        "The impact must be 5,000 characters or fewer",
    ),
    ("risk", {}, "Select yes if there is a risk of significant harm"),
    ("risk", {"risk": "maybe"}, "Select yes or no"),
    ("due", {"due_day": "24"}, "The date must include a month and year"),
    ("due", {"due_day": "24", "due_year": "2026"}, "The date must include a month"),
    ("due", {"due_time": "12:00"}, "Enter the date, or leave the time empty"),
    ("due", {**DATE, "due_day": "31", "due_month": "2", "due_time": "12:00"}, "Enter a real date"),
    ("due", {**DATE, "due_day": "ab", "due_time": "12:00"}, "Enter a real date"),
    ("due", {**DATE, "due_day": "123"}, "Enter a real date"),
    ("due", {**DATE, "due_year": "26", "due_time": "12:00"}, "The year must include 4 numbers"),
    ("due", {**DATE, "due_time": ""}, "Enter the time, for example 14:30"),
    ("due", {**DATE, "due_time": "25:00"}, "Enter the time as hours and minutes"),
    ("due", {**DATE, "due_time": "noon"}, "Enter the time as hours and minutes"),
    ("due", {**DATE, "due_time": "12:00:00"}, "Enter the time as hours and minutes"),
    ("due", {**DATE, "due_day": "23", "due_time": "09:00"}, "The due moment must be in the future"),
    (
        "due",
        {**DATE, "due_day": "1", "due_month": "12", "due_time": "09:00"},
        "The due moment must be no later than the policy&#x27;s, 17:00 Mon 30 Nov 2026",
    ),
]


def resolve(world: Any, data: dict[str, Any]) -> dict[str, Any]:
    names = {
        "@own-agency": lambda: world.challenging.pk,
        "@board-agency": lambda: world.board.pk,
        "@elsewhere-agency": lambda: AgencyFactory(name="Far Away Agency").pk,
        "@unrelated-person": lambda: world.person("unrelated", Role.PRACTITIONER).pk,
    }
    return {k: names[v]() if str(v).startswith("@") else v for k, v in data.items()}


@pytest.mark.parametrize(
    ("key", "data", "message"),
    [pytest.param(*row, id=f"{row[0]}-{index}") for index, row in enumerate(FORM_ERRORS)],
)
def test_every_form_error_shows_the_summary_and_saves_nothing(
    client, oscb, monday, key, data, message
):
    url = begin(client, practitioner(oscb))
    page_url = walk(client, url, answers(oscb), until=key)
    before = dict(client.session[SESSION_KEY][draft_of(url)]["answers"])
    response = client.post(page_url, resolve(oscb, data))
    assert_error_page(response, message)
    assert client.session[SESSION_KEY][draft_of(url)]["answers"] == before
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("question", "data", "message"),
    [
        ("question/reason", {}, "Select an answer"),
        ("question/reason", {"answer": "because"}, "Select one of the answers listed"),
        ("question/consent", {}, "Select an answer"),
        ("question/consent", {"answer": "maybe"}, "Select one of the answers listed"),
    ],
)
def test_mash_question_errors(client, lscb, question, data, message):
    url = begin(client, practitioner(lscb))
    given = answers(lscb, route="mash-contact-referral")
    given["question/reason"] = {"answer": "eligibility-for-assessment"}
    page_url = walk(client, url, given, until=question)
    response = client.post(page_url, data)
    assert_error_page(response, message)
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("question", "data", "message"),
    [
        ("question/attended", {}, "Select an answer"),
        ("question/attended", {"answer": "perhaps"}, "Select one of the answers listed"),
        (
            "question/dissenting-professional",
            {"answer": ""},
            "Enter name of the dissenting professional",
        ),
        (
            "question/dissenting-professional",
            {"answer": "x" * 2001},
            "The answer must be 2,000 characters or fewer",
        ),
        ("question/reason", {"answer": "  "}, "Enter the reason for the dissent"),
    ],
)
def test_conference_dissent_question_errors(client, oscb, question, data, message):
    url = begin(client, practitioner(oscb))
    given = answers(oscb, route="conference-dissent")
    given["question/attended"] = {"answer": "yes"}
    given["question/dissenting-professional"] = {"answer": "Dr A. Khan"}
    page_url = walk(client, url, given, until=question)
    response = client.post(page_url, data)
    assert_error_page(response, message)
    assert Case.objects.count() == 0


def test_start_page_errors_for_a_person_with_two_agencies(client, oscb):
    person = practitioner(oscb)
    MembershipFactory(user=person, agency=oscb.unrelated, role=Role.PRACTITIONER)
    client.force_login(person)
    assert_error_page(
        client.post(reverse("escalation:raise"), {}),
        "Select the agency you are raising this challenge for",
    )
    assert_error_page(
        client.post(reverse("escalation:raise"), {"agency": oscb.responding.pk}),
        "Select one of your agencies",
    )
    assert SESSION_KEY not in client.session or client.session[SESSION_KEY] == {}


def test_a_due_moment_passed_by_the_time_of_raising_shows_on_the_due_page(client, oscb, settings):
    settings.RESOLVE_IDLE_MINUTES = 180  # the check page left open two hours, still signed in
    with time_machine.travel(MONDAY, tick=False):
        url = begin(client, practitioner(oscb))
        given = answers(oscb)
        given["due"] = {**DATE, "due_day": "23", "due_time": "11:00"}
        check_url = walk(client, url, given)
    with time_machine.travel(MONDAY + dt.timedelta(hours=2), tick=False):
        response = client.post(check_url)
    assert_error_page(response, "The due moment must be in the future")
    assert 'action="' + check_url.replace("/check/", "/due/") + '"' in body(response)
    assert Case.objects.count() == 0


def test_a_responding_person_who_left_the_agency_shows_on_the_professional_page(client, oscb):
    url = begin(client, practitioner(oscb))
    check_url = walk(client, url, answers(oscb))
    Membership.objects.filter(user=oscb.person("responding", Role.PRACTITIONER)).update(
        agency=oscb.unrelated
    )
    response = client.post(check_url)
    assert_error_page(response, "Select a person from the list")
    assert 'action="' + check_url.replace("/check/", "/professional/") + '"' in body(response)
    assert Case.objects.count() == 0


def test_risk_answer_error_keeps_the_policy_words(client, sab):
    url = begin(client, practitioner(sab))
    risk_url = walk(client, url, answers(sab), until="risk")
    response = client.post(risk_url, {})
    assert_error_page(response, "Select yes if there is a risk of significant harm")
    assert "Is the adult at risk of significant harm?" in body(response)


# --- who may use the pages -----------------------------------------------------------------


def test_raise_needs_sign_in(client):
    response = client.get(reverse("escalation:raise"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("board", Role.BOARD_STAFF),
        ("board", Role.PARTNERSHIP_ADMIN),
        ("board", Role.STRATEGIC_MANAGER),
        ("elsewhere", Role.BOARD_STAFF),
    ],
)
def test_partnership_roles_get_403_on_the_start_page(client, oscb, where, role):
    client.force_login(oscb.person(where, role))
    response = client.get(reverse("escalation:raise"))
    assert response.status_code == 403
    assert "You cannot do that" in body(response)
    assert (
        client.post(reverse("escalation:raise"), {"agency": oscb.challenging.pk}).status_code == 403
    )
    assert SESSION_KEY not in client.session


def test_a_person_without_membership_gets_403(client, oscb, django_user_model):
    nobody = django_user_model.objects.create_user(username="nobody", password="x-y-z-1-2-3")
    client.force_login(nobody)
    assert client.get(reverse("escalation:raise")).status_code == 403


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("challenging", Role.PRACTITIONER),  # a colleague in the same agency
        ("challenging", Role.LINE_MANAGER),
        ("unrelated", Role.PRACTITIONER),
        ("elsewhere", Role.PRACTITIONER),
        ("board", Role.BOARD_STAFF),
    ],
)
def test_a_draft_cannot_be_read_or_submitted_by_another_person(client, oscb, where, role):
    owner = practitioner(oscb)
    if (where, role) == ("challenging", Role.PRACTITIONER):
        intruder = MembershipFactory(agency=oscb.challenging, role=Role.PRACTITIONER).user
    else:
        intruder = oscb.person(where, role)
    url = begin(client, owner)
    check_url = walk(client, url, answers(oscb))
    draft = draft_of(url)
    # The intruder signs in on the same browser: the draft id is known, the session is theirs.
    stolen_session = Client()
    stolen_session.force_login(intruder)
    for name, args in (
        ("raise_check", [draft]),
        ("raise_done", [draft]),
        ("raise_page", [draft, "route"]),
        ("raise_page", [draft, "disagreement"]),
        ("raise_question", [draft, "attended"]),
        ("raise_not_for", [draft, "emergencies"]),
    ):
        response = stolen_session.get(reverse(f"escalation:{name}", args=args))
        assert response.status_code == 404, name
        assert "The referral was closed" not in body(response)
    assert stolen_session.post(check_url).status_code == 404
    # The same browser, signed in as someone else: the session's drafts are not theirs.
    client.force_login(intruder)
    response = client.get(check_url)
    assert response.status_code == 404
    assert "The referral was closed" not in body(response)
    assert client.post(check_url).status_code == 404
    assert Case.objects.count() == 0


def test_a_draft_of_the_same_session_by_another_user_is_404(client, oscb):
    """Even where a session kept another person's draft, its owner is checked."""
    owner = practitioner(oscb)
    url = begin(client, owner)
    check_url = walk(client, url, answers(oscb))
    session = client.session
    drafts = session[SESSION_KEY]
    drafts[draft_of(url)]["owner"] = oscb.person("responding", Role.PRACTITIONER).pk
    session[SESSION_KEY] = drafts
    session.save()
    assert client.get(check_url).status_code == 404
    assert client.post(check_url).status_code == 404
    assert Case.objects.count() == 0


def test_confirmation_of_another_persons_case_is_404(client, oscb):
    url = begin(client, practitioner(oscb))
    check_url = walk(client, url, answers(oscb))
    done_url = client.post(check_url).url
    other = Client()
    other.force_login(oscb.person("responding", Role.PRACTITIONER))
    response = other.get(done_url)
    assert response.status_code == 404
    assert Case.objects.get().reference not in body(response)


def test_a_draft_whose_raiser_lost_the_right_to_raise_is_403(client, oscb):
    owner = practitioner(oscb)
    url = begin(client, owner)
    check_url = walk(client, url, answers(oscb))
    Membership.objects.filter(user=owner).update(role=Role.BOARD_STAFF)
    response = client.post(check_url)
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_unknown_draft_and_unknown_page_are_404(client, oscb):
    url = begin(client, practitioner(oscb))
    assert (
        client.get(reverse("escalation:raise_check", args=["0123456789abcdef"])).status_code == 404
    )
    assert (
        client.get(reverse("escalation:raise_page", args=[draft_of(url), "nope"])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("escalation:raise_question", args=[draft_of(url), "attended"])
        ).status_code
        == 404
    )  # the standard route does not ask it


def test_done_before_raising_is_404(client, oscb):
    url = begin(client, practitioner(oscb))
    assert client.get(reverse("escalation:raise_done", args=[draft_of(url)])).status_code == 404


def test_csrf_is_checked(oscb):
    client = Client(enforce_csrf_checks=True)
    url = begin(client, practitioner(oscb))
    refused = client.post(url, {"route": "standard"})
    assert refused.status_code == 403
    assert "route" not in client.session[SESSION_KEY][draft_of(url)]["answers"]
    page = body(client.get(url))
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    token = found[1]
    accepted = client.post(url, {"route": "standard", "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    assert client.session[SESSION_KEY][draft_of(url)]["answers"]["route"] == "standard"


def test_partnership_without_a_policy_says_so(client, oscb):
    oscb.partnership.adopted_policy = None
    oscb.partnership.save()
    client.force_login(practitioner(oscb))
    response = client.get(reverse("escalation:raise"))
    assert response.status_code == 200
    assert "You cannot raise a challenge yet" in body(response)
    assert "has not adopted a published policy yet" in body(response)


def test_the_raise_link_is_in_the_navigation(client, oscb):
    client.force_login(practitioner(oscb))
    page = body(client.get(reverse("escalation:home")))
    assert f'href="{reverse("escalation:raise")}"' in page
