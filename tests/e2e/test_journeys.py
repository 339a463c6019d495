"""The journeys, one per preset, in real headless Chromium (tests/e2e/conftest.py).

Each one: a practitioner signs in, raises a challenge through the raise pages and signs out;
then the people who act at each step (the preset's `actors` per side, in both agencies and the
partnership) sign in, find the case in their work queue, record the step's outcome and escalate,
through at least three steps, until someone resolves it. And one journey where a risk of
significant harm skips stages. Every page they see is scanned by axe-core (WCAG 2.2 A, AA).
"""

from __future__ import annotations

import re
from typing import Any

from agencies.enums import Role
from tests.e2e.browser import Visitor
from tests.e2e.flows import (
    Challenge,
    escalate,
    meet_target,
    raise_challenge,
    record_outcome,
    resolve,
    signed_in,
    signed_in_on_case,
    skip_step,
    summary_value,
)

RESTORATIVE = "The current concerns - sharing perspectives"
SSAB_SUMMARY = re.compile(r"^Please use this box to summarise")


def raise_as_practitioner(v: Visitor, world: Any, challenge: Challenge, *, first_step: str) -> str:
    """The practitioner raises the challenge and sees it open at its first step."""
    with signed_in(v, world.person("challenging", Role.PRACTITIONER)):
        reference = raise_challenge(v, challenge)
        assert reference.startswith(f"{world.partnership.code}-")
        assert f"{first_step}:" in v.main_text()
        v.click_link(f"View case {reference}")
        assert v.heading() == f"Case {reference}"
        assert "Open" in v.tags()
        assert ("At risk" in v.tags()) is challenge.at_risk
        assert f"Now at {first_step}" in v.main_text()
        assert summary_value(v, "Responding agency") == world.responding.name
        assert challenge.disagreement in v.main_text()
    return reference


def climb(
    v: Visitor,
    who: Any,
    reference: str,
    *,
    record: dict[Any, str],
    to_step: str,
    meeting_held: bool = False,
    resolution_reached: bool | None = None,
) -> None:
    """`who` finds the case in their work queue, records the step and escalates it."""
    with signed_in_on_case(v, who, reference):
        record_outcome(
            v,
            record=record,
            meeting_held=meeting_held,
            outcome="escalate",
            resolution_reached=resolution_reached,
        )
        banner = escalate(v, reason="Still no agreement about the threshold; going up a level.")
        assert f"Case {reference} is escalated to {to_step}." in banner, banner
        assert f"Now at {to_step}" in v.main_text()
        assert "Open" in v.tags()


def finish(
    v: Visitor,
    who: Any,
    reference: str,
    *,
    record: dict[Any, str],
    meeting_held: bool = False,
    resolution_reached: bool | None = None,
    agreed_by: Any = None,
) -> None:
    """`who` records the step as resolved, with what should be learned. When `who` is not
    of the raiser's side, the resolution waits for the raiser (`agreed_by`) to agree."""
    with signed_in_on_case(v, who, reference):
        record_outcome(
            v,
            record=record,
            meeting_held=meeting_held,
            outcome="resolved",
            resolution_reached=resolution_reached,
        )
        banner = resolve(
            v,
            learning="Share the threshold guidance with both teams; agree a joint briefing.",
            themes=("Threshold guidance",),
            debrief=True,
            review=False,
            send=agreed_by is not None,
        )
        if agreed_by is None:
            assert f"Case {reference} is resolved." in banner, banner
        else:
            assert f"Case {reference}: the resolution is sent to the raiser's side" in banner
            assert "A resolution waits for agreement" in v.page.locator("main").inner_text()
    if agreed_by is not None:
        with signed_in_on_case(v, agreed_by, reference):
            v.click_button("Agree the case is resolved")
            assert v.heading() == "Do you agree the case is resolved?", v.heading()
            v.click_button("Agree: the case is resolved")
            banner = v.banner()
            assert f"Case {reference} is resolved." in banner, banner
            _closed(v)
    else:
        with signed_in_on_case(v, who, reference):
            _closed(v)


def _closed(v: Visitor) -> None:
    assert "Resolved" in v.tags()
    assert "Open" not in v.tags()
    assert v.page.get_by_role("button", name="Record the outcome of this step").count() == 0


def test_oscb_children_climbs_four_steps_and_is_resolved(visitor, make_world):
    world = make_world("oscb-children")
    v = visitor
    reference = raise_as_practitioner(
        v,
        world,
        Challenge(
            route="Resolving professional concerns and disagreements",
            responding_agency=world.responding.name,
            professional="A. Social Worker, duty team",
            subject_kind="Child",
            initials="jd",
            age="5 to 10",
            category="Criteria for referrals",
            disagreement="The referral was closed without an assessment.",
            impact="The child is left without support at home.",
            responding_person=world.person("responding", Role.PRACTITIONER).get_full_name(),
            record_numbers={world.challenging.name: "HH-20931", world.responding.name: "CSC-7781"},
        ),
        first_step="Step 1 - Challenging professional with their peer in the other agency",
    )
    # Step 1: the peer in the other agency; step 2: the challenging line manager;
    # step 3: the other agency's service manager; step 4: the challenging head of service.
    climb(
        v,
        world.person("responding", Role.PRACTITIONER),
        reference,
        record={RESTORATIVE: "We met by video; the duty team holds to its decision."},
        meeting_held=True,
        resolution_reached=False,
        to_step="Step 2 - Line manager or safeguarding lead with their equivalent",
    )
    climb(
        v,
        world.person("challenging", Role.LINE_MANAGER),
        reference,
        record={RESTORATIVE: "Line managers spoke; no shared view of the threshold."},
        to_step=(
            "Step 3 - Safeguarding lead of the challenging agency with the relevant service manager"
        ),
    )
    climb(
        v,
        world.person("responding", Role.SENIOR_MANAGER),
        reference,
        record={RESTORATIVE: "The service manager reviewed the referral; still disputed."},
        to_step="Step 4 - Head of service or service director of each agency",
    )
    finish(
        v,
        world.person("challenging", Role.SENIOR_MANAGER),
        reference,
        record={RESTORATIVE: "Heads of service agreed a joint assessment within 5 days."},
        meeting_held=True,
        resolution_reached=True,
    )


def test_sab_adults_climbs_to_the_sab_manager_who_resolves(visitor, make_world):
    world = make_world("sab-adults")
    v = visitor
    reference = raise_as_practitioner(
        v,
        world,
        Challenge(
            responding_agency=world.responding.name,
            professional="B. Care Manager, adult social care",
            initials="MK",
            age="65 and over",
            category="Information sharing and communication",
            disagreement="The safeguarding concern was not shared with the GP.",
            impact="The adult's medication is not reviewed.",
        ),
        first_step="Step 1 - Direct practitioner to practitioner discussion",
    )
    climb(
        v,
        world.person("challenging", Role.PRACTITIONER),
        reference,
        record={RESTORATIVE: "Spoke by phone; no agreement about sharing."},
        to_step="Step 2 - Direct manager to manager discussion",
    )
    climb(
        v,
        world.person("responding", Role.LINE_MANAGER),
        reference,
        record={RESTORATIVE: "Managers met; the difference remains."},
        meeting_held=True,
        to_step="Step 3 - Resolutions meeting chaired by the Designated Safeguarding Lead",
    )
    climb(
        v,
        world.person("challenging", Role.SAFEGUARDING_LEAD),
        reference,
        record={RESTORATIVE: "The resolutions meeting could not agree."},
        meeting_held=True,
        to_step="Step 4 - The SAB Manager determines a course of action",
    )
    finish(
        v,
        world.person("board", Role.STRATEGIC_MANAGER),
        reference,
        record={RESTORATIVE: "The SAB Manager set the course: share with the GP today."},
        agreed_by=world.person("challenging", Role.PRACTITIONER),
    )


def test_ssab_adults_climbs_to_the_ssab_consultation_and_is_resolved(visitor, make_world):
    world = make_world("ssab-adults")
    v = visitor
    reference = raise_as_practitioner(
        v,
        world,
        Challenge(
            responding_agency=world.responding.name,
            professional="C. Social Worker, community team",
            initials="RT",
            age="26 to 64",
            category="Roles and responsibilities of workers",
            disagreement="Neither team accepts the lead for the adult protection plan.",
            impact="No one is coordinating the protection plan.",
        ),
        first_step="Stage One - Line Manager to Line Manager",
    )
    climb(
        v,
        world.person("challenging", Role.LINE_MANAGER),
        reference,
        record={
            "Name & Position of Line Manager implementing Stage One": "D. Lee, team manager",
            SSAB_SUMMARY: "Both line managers set out their views; no agreement on the lead.",
        },
        resolution_reached=False,
        to_step="Stage Two - Senior Manager review",
    )
    climb(
        v,
        world.person("responding", Role.SENIOR_MANAGER),
        reference,
        record={SSAB_SUMMARY: "Reviewed the documents; the lead remains disputed."},
        resolution_reached=False,
        to_step="Stage Three - Strategic Safeguarding Manager meets both Senior Managers",
    )
    climb(
        v,
        world.person("board", Role.STRATEGIC_MANAGER),
        reference,
        record={SSAB_SUMMARY: "Met both senior managers; referred to the SSAB members."},
        meeting_held=True,
        resolution_reached=False,
        to_step="Consultation with SSAB Members",
    )
    finish(
        v,
        world.person("challenging", Role.SENIOR_MANAGER),
        reference,
        record={SSAB_SUMMARY: "The members agreed the community team leads the plan."},
        meeting_held=True,
    )


def test_4lscb_children_meets_its_target_climbs_and_is_resolved(visitor, make_world):
    world = make_world("4lscb-children")
    v = visitor
    reference = raise_as_practitioner(
        v,
        world,
        Challenge(
            route="Resolving professional disagreements",
            responding_agency=world.responding.name,
            professional="E. Team Manager, children's services",
            subject_kind=None,  # 4LSCB cases are about children only: not asked
            initials="AB",
            age="11 to 15",
            category="Outcomes of assessments",
            disagreement="The assessment found no needs despite three school referrals.",
            impact="The child's attendance keeps falling.",
        ),
        first_step="Stage One - Direct professional to professional discussion",
    )
    # The practitioner puts the concern in writing (step 0, a target beside stage 1).
    with signed_in_on_case(v, world.person("challenging", Role.PRACTITIONER), reference):
        banner = meet_target(v)
        assert "Concern in writing to the other professional is marked as met." in banner, banner
    climb(
        v,
        world.person("responding", Role.PRACTITIONER),
        reference,
        record={RESTORATIVE: "Discussed by phone the same day; no agreement."},
        to_step="Stage Two - Direct first line manager to first line manager discussion",
    )
    climb(
        v,
        world.person("challenging", Role.LINE_MANAGER),
        reference,
        record={RESTORATIVE: "First line managers discussed; still apart."},
        to_step="Stage Three - Senior manager to senior manager discussion",
    )
    climb(
        v,
        world.person("responding", Role.SENIOR_MANAGER),
        reference,
        record={RESTORATIVE: "Senior managers met and could not agree."},
        meeting_held=True,
        to_step="Stage Four - LSCB Resolution Panel chaired by the Independent Chair",
    )
    finish(
        v,
        world.person("board", Role.STRATEGIC_MANAGER),
        reference,
        record={RESTORATIVE: "The panel decided on a re-assessment with the school present."},
        meeting_held=True,
        agreed_by=world.person("challenging", Role.PRACTITIONER),
    )


def test_ssab_risk_of_significant_harm_skips_stages_one_and_two(visitor, make_world):
    world = make_world("ssab-adults")
    v = visitor
    reference = raise_as_practitioner(
        v,
        world,
        Challenge(
            responding_agency=world.responding.name,
            professional="F. Duty Social Worker",
            initials="PQ",
            age="65 and over",
            category="Criteria for referrals",
            disagreement="The referral about financial abuse was screened out.",
            impact="The adult's savings are being taken every week.",
            at_risk=True,
        ),
        first_step="Stage One - Line Manager to Line Manager",
    )
    # The challenging line manager skips stage one; the other agency's senior manager skips
    # stage two; the strategic safeguarding manager meets both and resolves at stage three.
    with signed_in_on_case(v, world.person("challenging", Role.LINE_MANAGER), reference):
        assert "At risk" in v.tags()
        banner = skip_step(v, reason="Weekly financial abuse: senior managers must act now.")
        assert (
            f"Stage One - Line Manager to Line Manager is skipped: case {reference} is now at "
            "Stage Two - Senior Manager review." in banner
        ), banner

    with signed_in_on_case(v, world.person("responding", Role.SENIOR_MANAGER), reference):
        banner = skip_step(v, reason="The risk calls for the Strategic Safeguarding Manager today.")
        assert "is now at Stage Three - Strategic Safeguarding Manager meets both" in banner, banner
        steps = v.page.locator("main").inner_text()
        assert steps.count("Skipped") >= 2, "both skipped stages are shown as skipped"

    finish(
        v,
        world.person("board", Role.STRATEGIC_MANAGER),
        reference,
        record={SSAB_SUMMARY: "Met both senior managers the same day: a section 47-style enquiry."},
        meeting_held=True,
        resolution_reached=True,
        agreed_by=world.person("challenging", Role.PRACTITIONER),
    )
