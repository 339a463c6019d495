"""The raise pages' special routes in real Chromium: a matter the policy says is not for this
procedure is pointed elsewhere and nothing is raised; a special route asks its own questions
(4LSCB's MASH contact/referral route: the typical reason, and parent/carer consent or the
exception that applies). axe-core scans every page (tests/e2e/conftest.py)."""

from __future__ import annotations

import re

from agencies.enums import Role
from tests.e2e.flows import RAISE_PAGE, Challenge, raise_challenge, summary_value


def test_a_matter_not_for_this_procedure_is_pointed_elsewhere(visitor, make_world):
    world = make_world("oscb-children")
    v = visitor
    v.sign_in(world.person("challenging", Role.PRACTITIONER))
    v.click_link("Raise a challenge")
    assert RAISE_PAGE.match(v.path())
    v.click_button("Continue")  # nothing chosen: the error summary, linked to the first radio
    assert v.page.title().startswith("Error: ")
    first_error = v.page.locator(".govuk-error-summary a").first
    assert first_error.inner_text() == "Select the kind of disagreement"
    assert v.page.locator(str(first_error.get_attribute("href"))).get_attribute("type") == "radio"

    v.choose_in(
        "Which kind of disagreement is it?", "Not for this procedure: Emergencies (section 5)"
    )
    v.click_button("Continue")
    assert v.heading() == "Emergencies (section 5) is not for this procedure"
    assert "Nothing has been raised." in v.main_text()
    assert "senior managers from the relevant agencies problem-solve together" in v.main_text()
    v.click_link("Go to your work")
    assert "You have no open cases." in v.main_text()


def test_4lscb_mash_route_asks_its_own_questions(visitor, make_world):
    world = make_world("4lscb-children")
    v = visitor
    v.sign_in(world.person("challenging", Role.PRACTITIONER))
    reference = raise_challenge(
        v,
        Challenge(
            route="Disagreement at contact / referral stage within the MASH",
            responding_agency=world.responding.name,
            professional="G. MASH Team Manager",
            subject_kind=None,  # 4LSCB cases are about children only: not asked
            initials="CD",
            age="1 to 4",
            category="Criteria for referrals",
            disagreement="The MASH asked for more information before progressing the referral.",
            impact="The bruising is unexplained and the child is not yet seen.",
            answers={
                "What is the disagreement about?": re.compile(
                    r"^MASH concludes that further information should be sought"
                ),
                "Do the parent/carer(s) know about and agree": re.compile(
                    r"^No: seeking consent to share information would put a child"
                ),
            },
        ),
    )
    v.click_link(f"View case {reference}")
    assert summary_value(v, "Responding agency") == world.responding.name
    shown = v.main_text()
    assert "Disagreement at contact / referral stage within the MASH" in shown
    assert "Conversation between the referring professional and the MASH team" in shown
    assert "further information should be sought" in shown
