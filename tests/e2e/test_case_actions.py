"""Actions on a case in real Chromium beyond the climb: a form left open while someone else
acted saves nothing and says so; withdrawing; what a person who may read but not act sees and
gets; the due-moment and reassign pages. axe-core scans every page (tests/e2e/conftest.py)."""

from __future__ import annotations

from agencies.enums import Role
from tests.e2e.flows import escalate, open_case, record_outcome

STEP_1 = "Step 1 - Challenging professional with their peer in the other agency"
STEP_2 = "Step 2 - Line manager or safeguarding lead with their equivalent"


def test_a_form_left_open_while_someone_else_acted_saves_nothing(new_visitor, make_world):
    world = make_world("oscb-children")
    case = world.raise_case()
    raiser, peer = new_visitor(), new_visitor()

    # The raiser opens the escalate page and starts writing...
    raiser.sign_in(case.raised_by)
    open_case(raiser, case.reference)
    raiser.click_button("Escalate to the next step")
    raiser.fill("Why is the disagreement not resolved at this step?", "No reply from the team.")

    # ...while the peer in the other agency records the step and escalates it.
    peer.sign_in(world.person("responding", Role.PRACTITIONER))
    open_case(peer, case.reference)
    record_outcome(
        peer,
        record={"The current concerns - sharing perspectives": "We spoke; no agreement."},
        meeting_held=False,
        outcome="escalate",
    )
    assert f"Case {case.reference} is escalated to {STEP_2}." in escalate(peer, reason="Apart.")

    # The raiser's form is out of date: refused, nothing saved, and the page says why.
    raiser.click_button("Confirm and escalate", status=409)
    assert raiser.page.title().startswith("Error: ")
    stale = raiser.page.locator(".govuk-error-summary")
    assert stale.get_by_role("heading").inner_text() == "This case changed since you opened it"
    assert "Nothing was saved." in stale.inner_text()
    raiser.click_link(f"Reload case {case.reference} to see what changed")
    assert f"Now at {STEP_2}" in raiser.main_text()  # one escalation, not two
    assert raiser.page.get_by_role("button", name="Record the outcome of this step").count() == 0

    # The raiser may still withdraw the challenge.
    raiser.click_link("Withdraw the challenge")
    raiser.fill("Why is the challenge withdrawn?", "Agreed by phone with the duty team.")
    raiser.click_button("Confirm and withdraw")
    assert f"Case {case.reference} is withdrawn." in raiser.banner()
    assert "Withdrawn" in raiser.tags()


def test_who_may_read_but_not_act_and_who_may_not_read(new_visitor, make_world):
    world = make_world("sab-adults")
    case = world.raise_case()

    reader = new_visitor()  # board staff read every case of the partnership; none is theirs
    reader.sign_in(world.person("board", Role.BOARD_STAFF))
    reader.open(f"/cases/{case.reference}/")
    assert "You can read this case. Nothing on it is yours to do at this step." in (
        reader.main_text()
    )
    assert reader.page.locator("main .govuk-button").count() == 0
    reader.open(f"/cases/{case.reference}/record/", status=403)
    assert reader.heading() == "You cannot do that"

    outsider = new_visitor()  # an agency of the partnership that is not a party
    outsider.sign_in(world.person("unrelated", Role.SAFEGUARDING_LEAD))
    outsider.open(f"/cases/{case.reference}/", status=404)
    assert case.disagreement not in outsider.page.content()
    outsider.open(f"/cases/{case.reference}/escalate/", status=404)

    actor = new_visitor()  # the raiser: acts at step 1
    actor.sign_in(case.raised_by)
    open_case(actor, case.reference)
    actor.click_link("Change when this step is due")
    assert actor.heading() == "Change when this step is due"
    actor.click_link("Cancel and go back to the case")
    actor.click_link("Name who acts at this step")
    assert actor.heading() == "Name who acts at this step"
    actor.click_button("Confirm who acts")  # nothing chosen: the error summary
    assert actor.page.title().startswith("Error: ")
    assert actor.page.locator(".govuk-error-summary").count() == 1
    actor.click_link("Cancel and go back to the case")
    assert "Now at Step 1 - Direct practitioner to practitioner discussion" in actor.main_text()
