"""Closing needs both sides: a case is resolved only with the step's outcome written, and
with the raiser's side agreeing; a dispute escalates; withdrawal is the raiser's side's alone.
Each refusal at the service and on the page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from agencies.enums import Role
from escalation.domain import (
    case_agree_resolution,
    case_dispute_resolution,
    case_escalate,
    case_resolve,
    case_withdraw,
    checks,
)
from escalation.enums import CaseStatus, ResolutionAnswer, StepOutcome
from escalation.errors import InvalidInput, InvalidTransition, NotAllowed
from escalation.models import Case, Learning, ResolutionProposal
from escalation.queries.steps import pending_resolution
from notifications.enums import Event
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

LEARNING = "Agree the referral criteria together."
NO_RECOMMENDATIONS = {"debrief_recommended": "no", "case_review_recommended": "no"}


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _unchanged(case: Case, version: int) -> None:
    fresh = _fresh(case)
    assert (fresh.version, fresh.status) == (version, CaseStatus.OPEN)
    assert not Learning.objects.filter(case=case).exists()


def _proposed(world) -> Case:
    """A case at step 1 whose record the challenged practitioner wrote and whose resolution
    they proposed."""
    case = world.raise_case()
    responder = world.actor(case, "responding")
    case = world.write_record(case, by=responder)
    return case_resolve(case=case, by=responder, learning=LEARNING, expected_version=case.version)


# --- the service ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["responding", "challenging"])
def test_no_side_resolves_without_the_steps_written_outcome(oscb, who):
    case = oscb.raise_case()
    with pytest.raises(InvalidTransition) as refused:
        case_resolve(case=case, by=oscb.actor(case, who), learning=LEARNING, expected_version=1)
    assert refused.value.message == checks.RESOLVE_NEEDS_RECORD
    _unchanged(case, 1)
    assert not ResolutionProposal.objects.exists()


def test_the_challenged_side_only_proposes_and_the_raiser_is_asked(oscb):
    case = _proposed(oscb)

    assert case.status == CaseStatus.OPEN
    assert not Learning.objects.filter(case=case).exists()
    proposal = pending_resolution(case)
    assert proposal is not None
    assert (proposal.proposed_by, proposal.learning, proposal.answer) == (
        oscb.actor(case, "responding"),
        LEARNING,
        "",
    )
    asked = OutboxMessage.objects.filter(case=case, event=Event.CASE_RESOLUTION_PROPOSED)
    assert [m.recipient for m in asked] == [case.raised_by]
    reasons = list(case.history.values_list("history_change_reason", flat=True))
    assert reasons[0] == "step 1 resolution proposed, for the raiser's side to agree"


def test_the_raiser_agrees_and_the_history_says_who(oscb):
    case = _proposed(oscb)
    proposer = oscb.actor(case, "responding")

    case = case_agree_resolution(case=case, by=case.raised_by, expected_version=case.version)

    assert case.status == CaseStatus.RESOLVED
    learning = Learning.objects.get(case=case)
    assert (learning.summary, learning.recorded_by) == (LEARNING, proposer)
    proposal = ResolutionProposal.objects.get(case=case)
    assert (proposal.answer, proposal.answered_by) == (ResolutionAnswer.AGREED, case.raised_by)
    assert case.history.first().history_change_reason == (
        f"resolved at step 1, proposed by {proposer.get_full_name()}, "
        f"agreed by {case.raised_by.get_full_name()} for the raiser's side"
    )
    assert OutboxMessage.objects.filter(case=case, event=Event.CASE_RESOLVED).exists()


def test_the_raisers_side_resolving_is_its_own_agreement(oscb):
    case = oscb.write_record(oscb.raise_case())
    case = case_resolve(
        case=case, by=case.raised_by, learning=LEARNING, expected_version=case.version
    )
    assert case.status == CaseStatus.RESOLVED
    assert not ResolutionProposal.objects.exists()
    assert case.history.first().history_change_reason == (
        f"resolved at step 1, agreed by {case.raised_by.get_full_name()} for the raiser's side"
    )


def test_a_dispute_escalates_with_its_reason(oscb):
    case = _proposed(oscb)
    manager = oscb.person("challenging", Role.LINE_MANAGER)

    case = case_dispute_resolution(
        case=case,
        by=manager,
        reason="The plan leaves the child unseen.",
        expected_version=case.version,
    )

    assert (case.status, case.current_step.number) == (CaseStatus.OPEN, 2)
    assert case.steps.get(number=1).outcome == StepOutcome.ESCALATED
    proposal = ResolutionProposal.objects.get(case=case)
    assert (proposal.answer, proposal.answered_by, proposal.dispute_reason) == (
        ResolutionAnswer.DISPUTED,
        manager,
        "The plan leaves the child unseen.",
    )
    assert pending_resolution(case) is None
    assert case.history.first().history_change_reason == (
        "step 1 escalated: resolution disputed by the raiser's side: "
        "The plan leaves the child unseen."
    )


def test_a_dispute_needs_a_reason_and_saves_nothing_without(oscb):
    case = _proposed(oscb)
    with pytest.raises(InvalidInput) as refused:
        case_dispute_resolution(
            case=case, by=case.raised_by, reason=" ", expected_version=case.version
        )
    assert refused.value.message == checks.ENTER["dispute"]
    _unchanged(case, case.version)
    assert pending_resolution(_fresh(case)) is not None


def test_at_the_last_step_a_resolution_cannot_be_disputed(oscb):
    case = oscb.raise_case()
    while oscb.any_actor(case).has_perm("escalation.escalate_case", case):
        case = case_escalate(
            case=case, by=oscb.any_actor(case), reason="No", expected_version=case.version
        )
    actor = oscb.any_actor(case)
    assert not actor.has_perm("escalation.agree_for_raiser", case)
    case = oscb.write_record(case, by=actor)
    case = case_resolve(case=case, by=actor, learning=LEARNING, expected_version=case.version)
    version = case.version

    with pytest.raises(InvalidTransition) as refused:
        case_dispute_resolution(case=case, by=case.raised_by, reason="No", expected_version=version)

    assert refused.value.message == checks.LAST_STEP_DISPUTE
    _unchanged(case, version)


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("responding", Role.PRACTITIONER),
        ("responding", Role.LINE_MANAGER),
        ("unrelated", Role.SAFEGUARDING_LEAD),
        ("board", Role.BOARD_STAFF),
    ],
)
def test_only_the_raisers_side_answers(oscb, where, role):
    case = _proposed(oscb)
    for answer in (
        lambda: case_agree_resolution(
            case=case, by=oscb.person(where, role), expected_version=case.version
        ),
        lambda: case_dispute_resolution(
            case=case, by=oscb.person(where, role), reason="No", expected_version=case.version
        ),
    ):
        with pytest.raises(NotAllowed):
            answer()
    _unchanged(case, case.version)


def test_resolving_again_while_waiting_is_refused(oscb):
    case = _proposed(oscb)
    with pytest.raises(InvalidTransition) as refused:
        case_resolve(
            case=case,
            by=oscb.actor(case, "responding"),
            learning="x",
            expected_version=case.version,
        )
    assert refused.value.message == checks.RESOLUTION_WAITING
    assert ResolutionProposal.objects.count() == 1


def test_nothing_to_agree_is_refused(oscb):
    case = oscb.raise_case()
    with pytest.raises(InvalidTransition) as refused:
        case_agree_resolution(case=case, by=case.raised_by, expected_version=1)
    assert refused.value.message == checks.NOTHING_TO_ANSWER
    _unchanged(case, 1)


def test_a_proposal_lapses_when_the_case_moves_on_another_way(oscb):
    case = _proposed(oscb)
    case = case_escalate(
        case=case, by=case.raised_by, reason="Not agreed", expected_version=case.version
    )
    assert pending_resolution(case) is None
    with pytest.raises(InvalidTransition):
        case_agree_resolution(case=case, by=case.raised_by, expected_version=case.version)


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.LINE_MANAGER, Role.SAFEGUARDING_LEAD])
def test_withdrawal_is_the_raisers_side_alone(oscb, role):
    case = oscb.raise_case()
    with pytest.raises(NotAllowed):
        case_withdraw(case=case, by=oscb.person("responding", role), reason="x", expected_version=1)
    _unchanged(case, 1)


# --- the pages --------------------------------------------------------------------------------


def test_the_resolve_page_refuses_without_the_record(client, oscb):
    case = oscb.raise_case()
    responder = oscb.actor(case, "responding")
    client.force_login(responder)
    url = reverse("escalation:case_resolve", args=[case.reference])

    shown = client.get(url).text
    posted = client.post(url, {"version": 1, "learning": LEARNING, **NO_RECOMMENDATIONS})

    assert escape(checks.RESOLVE_NEEDS_RECORD) in shown
    assert posted.status_code == 200
    # The transition's refusal, as the form's error (the summary at the top links nowhere).
    assert "govuk-error-summary" in posted.text
    assert escape(checks.RESOLVE_NEEDS_RECORD) in posted.text
    _unchanged(case, 1)


def test_the_challenged_side_sends_it_and_the_raiser_agrees_on_the_pages(client, oscb):
    case = oscb.raise_case()
    responder = oscb.actor(case, "responding")
    case = oscb.write_record(case, by=responder)
    client.force_login(responder)
    url = reverse("escalation:case_resolve", args=[case.reference])
    assert "Send for the raiser's agreement" in client.get(url).text

    sent = client.post(
        url,
        {
            "version": case.version,
            "learning": LEARNING,
            **NO_RECOMMENDATIONS,
        },
        follow=True,
    )

    assert "the resolution is sent to the raiser&#x27;s side to agree" in sent.text
    assert "A resolution waits for agreement" in sent.text
    assert reverse("escalation:case_agree", args=[case.reference]) not in sent.text
    client.force_login(case.raised_by)
    page = client.get(reverse("escalation:case", args=[case.reference])).text
    assert reverse("escalation:case_agree", args=[case.reference]) in page
    assert LEARNING in page
    agreed = client.post(
        reverse("escalation:case_agree", args=[case.reference]),
        {"version": _fresh(case).version},
        follow=True,
    )
    assert f"Case {case.reference} is resolved." in agreed.text
    assert _fresh(case).status == CaseStatus.RESOLVED


def test_the_dispute_page_asks_for_a_reason_then_escalates(client, oscb):
    case = _proposed(oscb)
    client.force_login(case.raised_by)
    url = reverse("escalation:case_dispute", args=[case.reference])

    empty = client.post(url, {"version": case.version, "reason": ""})
    assert empty.status_code == 200
    assert escape(checks.ENTER["dispute"]) in empty.text
    _unchanged(case, case.version)

    done = client.post(
        url, {"version": case.version, "reason": "The child is still unseen."}, follow=True
    )
    assert "the resolution is disputed and the case is now at" in done.text
    assert _fresh(case).current_step.number == 2


def test_the_answer_pages_refuse_the_other_side_and_hide_from_outsiders(client, oscb):
    case = _proposed(oscb)
    for name in ("escalation:case_agree", "escalation:case_dispute"):
        url = reverse(name, args=[case.reference])
        client.force_login(oscb.person("responding", Role.LINE_MANAGER))
        assert client.get(url).status_code == 403
        assert client.post(url, {"version": case.version, "reason": "x"}).status_code == 403
        client.force_login(oscb.person("unrelated", Role.SAFEGUARDING_LEAD))
        assert client.get(url).status_code == 404
        assert client.post(url, {"version": case.version, "reason": "x"}).status_code == 404
    _unchanged(case, case.version)


def test_with_nothing_to_answer_the_agree_page_says_so(client, oscb):
    case = oscb.raise_case()
    client.force_login(case.raised_by)
    url = reverse("escalation:case_agree", args=[case.reference])
    assert escape(checks.NOTHING_TO_ANSWER) in client.get(url).text
    posted = client.post(url, {"version": 1})
    assert posted.status_code == 200
    assert escape(checks.NOTHING_TO_ANSWER) in posted.text
    _unchanged(case, 1)
