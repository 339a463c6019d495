"""Every refusal a page makes, made again by the transition behind it.

Each test gives the page's form and the service the same input, and asserts that both refuse
it with the same message and that nothing was saved: a second door into the product (the API,
a command, an import) lets through nothing the pages refuse.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.utils import timezone

from agencies.enums import Role
from escalation.domain import (
    case_escalate,
    case_raise,
    case_reassign,
    case_resolve,
    case_skip_step,
    case_withdraw,
    step_record_outcome,
)
from escalation.errors import CaseError, InvalidInput, InvalidTransition, NotAllowed
from escalation.forms import raising as rf
from escalation.models import Case, CaseStep
from escalation.pages.case import forms as cf
from escalation.policy import record_fields
from escalation.queries.policies import case_route, policy_spec

pytestmark = pytest.mark.django_db


def page_error(form: forms.Form, field: str) -> str:
    """The one message the page's form shows on `field` for its input."""
    assert not form.is_valid()
    errors = form.errors.get(field) or form.errors.get("__all__")
    assert errors, form.errors
    return str(errors[0])


def service_refusal(call: Any, **kwargs: Any) -> CaseError:
    with pytest.raises(CaseError) as refused:
        call(**kwargs)
    return refused.value


def raise_inputs(world: Any, **overrides: Any) -> dict[str, Any]:
    """What World.raise_case gives case_raise, with `overrides`."""
    kwargs: dict[str, Any] = {
        "by": world.person("challenging", Role.PRACTITIONER),
        "challenging_agency": world.challenging,
        "responding_agency": world.responding,
        "responding_professional": "A. Social Worker, duty team",
        "subject_kind": "child",
        "subject_initials": "JD",
        "subject_age_band": "5-10",
        "category": "criteria-for-referrals",
        "disagreement": "The referral was closed without an assessment.",
        "impact": "The child is left without support at home.",
    }
    return {**kwargs, **overrides}


def assert_nothing_raised() -> None:
    assert Case.objects.count() == 0
    assert CaseStep.objects.count() == 0


# --- raising a challenge ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "form_data", "service_input"),
    [
        ("subject_initials", {"subject_initials": "J1"}, {"subject_initials": "J1"}),
        ("subject_initials", {"subject_initials": "JDKLM"}, {"subject_initials": "JDKLM"}),
        ("subject_age_band", {"subject_age_band": "26-64"}, {"subject_age_band": "26-64"}),
        (
            "subject_age_band",
            {"subject_kind": "young_person", "subject_age_band": "5-10"},
            {"subject_kind": "young_person", "subject_age_band": "5-10"},
        ),
    ],
)
def test_the_person_it_is_about(oscb, field, form_data, service_input):
    spec = policy_spec(oscb.partnership.adopted_policy.versions.get())
    data = {"subject_kind": "child", "subject_initials": "JD", "subject_age_band": "5-10"}
    shown = page_error(rf.SubjectForm({**data, **form_data}, spec=spec), field)

    refused = service_refusal(case_raise, **raise_inputs(oscb, **service_input))

    assert isinstance(refused, InvalidInput)
    assert (refused.field, refused.message) == (field, shown)
    assert_nothing_raised()


def test_initials_are_kept_as_the_page_keeps_them(oscb):
    """The page takes "j. d." as JD; so does the service, by the same rule."""
    case = case_raise(**raise_inputs(oscb, subject_initials="j. d."))
    assert case.subject_initials == "JD"


@pytest.mark.parametrize(
    ("field", "form", "value"),
    [
        ("disagreement", "disagreement", "x" * 5001),
        ("impact", "disagreement", "x" * 5001),
        ("disagreement", "disagreement", "   "),
        ("impact", "disagreement", ""),
        ("responding_professional", "professional", "x" * 201),
        ("responding_professional", "professional", " "),
        ("challenging_record_number", "numbers", "x" * 51),
        ("responding_record_number", "numbers", "x" * 51),
    ],
)
def test_lengths_and_required_texts(oscb, field, form, value):
    good = raise_inputs(oscb)
    page: forms.Form
    if form == "disagreement":
        page = rf.DisagreementForm(
            {"disagreement": good["disagreement"], "impact": good["impact"], field: value},
            subject="the child",
        )
    elif form == "professional":
        page = rf.ProfessionalForm({field: value}, agency=oscb.responding)
    else:
        page = rf.RecordNumbersForm(
            {field: value}, agency=oscb.challenging, responding=oscb.responding
        )
    shown = page_error(page, field)

    refused = service_refusal(case_raise, **raise_inputs(oscb, **{field: value}))

    assert isinstance(refused, InvalidInput)
    assert (refused.field, refused.message) == (field, shown)
    assert_nothing_raised()


@pytest.mark.parametrize("world_name", ["oscb", "lscb"])
def test_a_dissent_by_someone_not_at_the_conference(request, world_name):
    """Both children's presets refuse it; the words come from the policy's data."""
    world = request.getfixturevalue(world_name)
    route = policy_spec(world.partnership.adopted_policy.versions.get()).route("conference-dissent")
    attended = next(q for q in route.questions if q.slug == "attended")
    refusing = rf.refusal(attended, "no")
    assert refusing is not None and refusing.refuses.startswith("A dissent can be recorded")
    assert rf.refusal(attended, "yes") is None

    refused = service_refusal(
        case_raise,
        **raise_inputs(
            world,
            route="conference-dissent",
            route_details={
                "attended": "no",
                "dissenting-professional": "Dr A. Khan, GP",
                "reason": "The plan does not protect JD.",
            },
        ),
    )

    assert isinstance(refused, InvalidInput)
    assert (refused.field, refused.message) == ("attended", refusing.refuses)
    assert_nothing_raised()


@pytest.mark.parametrize(
    ("slug", "value"),
    [("reason", "x" * 2001), ("reason", ""), ("attended", ""), ("attended", "perhaps")],
)
def test_a_special_routes_answers(oscb, slug, value):
    route = policy_spec(oscb.partnership.adopted_policy.versions.get()).route("conference-dissent")
    question = next(q for q in route.questions if q.slug == slug)
    shown = page_error(rf.RouteQuestionForm({"answer": value}, question=question), "answer")
    details = {"attended": "yes", "dissenting-professional": "Dr A. Khan", "reason": "Unsafe"}

    refused = service_refusal(
        case_raise,
        **raise_inputs(oscb, route="conference-dissent", route_details={**details, slug: value}),
    )

    assert isinstance(refused, InvalidInput)
    assert (refused.field, refused.message) == (slug, shown)
    assert_nothing_raised()


@pytest.mark.parametrize("when", ["past", "after the policy's"])
def test_an_earlier_due_moment(oscb, when):
    now = timezone.now()
    policy_due = now + dt.timedelta(days=14)  # OSCB's step 1: 5 working days at most
    due = now - dt.timedelta(hours=1) if when == "past" else policy_due + dt.timedelta(days=3)
    local = timezone.localtime(due)
    page = rf.DueForm(
        {
            "due_day": str(local.day),
            "due_month": str(local.month),
            "due_year": str(local.year),
            "due_time": f"{local:%H:%M}",
        },
        now=now,
        policy_due=policy_due,
    )
    shown = page_error(page, "due_day")

    refused = service_refusal(case_raise, **raise_inputs(oscb, due_at=due.replace(second=0)))

    assert isinstance(refused, InvalidInput)
    assert refused.field == "due_at"
    if when == "past":
        assert refused.message == shown
    else:  # the policy's own due moment for step 1 is the service's, not the page's guess
        assert refused.message.startswith("The due moment must be no later than the policy's, ")
        assert shown.startswith("The due moment must be no later than the policy's, ")
    assert_nothing_raised()


# --- the case's actions ----------------------------------------------------------------------


def unchanged(case: Case) -> None:
    again = Case.objects.get(pk=case.pk)
    assert (again.version, again.status, again.current_step_id) == (
        case.version,
        case.status,
        case.current_step_id,
    )


@pytest.mark.parametrize(
    ("form_class", "field", "call", "extra"),
    [
        (cf.EscalateForm, "reason", case_escalate, {}),
        (cf.WithdrawForm, "reason", case_withdraw, {}),
        (cf.ResolveForm, "learning", case_resolve, {}),
    ],
)
def test_an_empty_reason(oscb, form_class, field, call, extra):
    case = oscb.raise_case()
    if call is case_resolve:  # resolving asks for the step's written record first
        case = oscb.write_record(case)
    shown = page_error(form_class({"version": str(case.version), field: "  "}), field)
    by = case.raised_by

    refused = service_refusal(
        call, case=case, by=by, expected_version=case.version, **{field: "  "}, **extra
    )

    assert isinstance(refused, InvalidInput)
    assert (refused.field, refused.message) == (field, shown)
    unchanged(case)


def test_an_empty_reason_to_skip(ssab):
    case = ssab.raise_case(risk_of_significant_harm=True)
    shown = page_error(cf.SkipForm({"version": "1", "reason": ""}), "reason")

    refused = service_refusal(
        case_skip_step, case=case, by=ssab.any_actor(case), reason="", expected_version=1
    )

    assert isinstance(refused, InvalidInput)
    assert (refused.field, refused.message) == ("reason", shown)
    unchanged(case)


def test_reassigning_without_a_side_a_person_or_a_reason(oscb):
    case = oscb.raise_case()
    manager = oscb.person("challenging", Role.LINE_MANAGER)
    page = cf.ReassignForm(
        {"version": "1", "side": "", "reason": ""},
        sides=[("challenging", "your agency")],
        candidates={},
    )
    assert not page.is_valid()
    for field, given in (
        ("side", {"side": "", "to": manager, "reason": "Away"}),
        ("to", {"side": "challenging", "to": None, "reason": "Away"}),
        ("reason", {"side": "challenging", "to": manager, "reason": ""}),
    ):
        refused = service_refusal(
            case_reassign, case=case, by=case.raised_by, expected_version=1, **given
        )
        assert isinstance(refused, InvalidInput)
        assert refused.field == field
    assert str(page.errors["side"][0]) == "Select the side you are naming someone for"
    assert str(page.errors["reason"][0]) == "Enter why the step is reassigned"
    unchanged(case)


def record_form(case: Case, data: dict[str, str]) -> cf.RecordForm:
    spec = case_route(case).step(case.current_step.number)
    fields = record_fields(policy_spec(case.policy_version), spec)
    return cf.RecordForm(
        {"version": "1", "meeting_held": "yes", "outcome": "resolve", **data},
        record_fields=fields,
        outcomes=[("resolve", "Resolved")],
        meeting_required=spec.meeting_required,
    )


def test_an_empty_record(oscb):
    case = oscb.raise_case()
    shown = page_error(record_form(case, {}), "part_concerns")

    refused = service_refusal(
        step_record_outcome,
        case=case,
        by=case.raised_by,
        record={"concerns": " "},
        meeting_held=True,
        expected_version=1,
    )

    assert refused.message == shown
    assert CaseStep.objects.get(pk=case.current_step_id).record == {}
    unchanged(case)


def test_a_record_part_too_long(oscb):
    case = oscb.raise_case()
    text = "x" * 20_001
    shown = page_error(record_form(case, {"part_concerns": text}), "part_concerns")

    refused = service_refusal(
        step_record_outcome,
        case=case,
        by=case.raised_by,
        record={"concerns": text},
        meeting_held=True,
        expected_version=1,
    )

    assert refused.message == shown
    assert CaseStep.objects.get(pk=case.current_step_id).record == {}


# --- the same named rule as the page ----------------------------------------------------------


def test_escalating_needs_the_rule_the_page_checks(oscb):
    """The page offers escalation by escalation.escalate_case; the service checks the same
    rule, so a person of an agency not party to the case is refused there too."""
    case = oscb.raise_case()
    outsider = oscb.person("unrelated", Role.SAFEGUARDING_LEAD)
    assert not outsider.has_perm("escalation.escalate_case", case)

    refused = service_refusal(
        case_escalate, case=case, by=outsider, reason="No", expected_version=1
    )

    assert isinstance(refused, NotAllowed)
    unchanged(case)


def test_skipping_needs_the_rule_the_page_checks(ssab):
    case = ssab.raise_case(risk_of_significant_harm=True)
    responding_lead = ssab.person("unrelated", Role.SENIOR_MANAGER)
    assert not responding_lead.has_perm("escalation.skip_step", case)

    refused = service_refusal(
        case_skip_step, case=case, by=responding_lead, reason="Risk", expected_version=1
    )

    assert isinstance(refused, NotAllowed)
    unchanged(case)


def test_the_last_step_refuses_escalation_before_anyone_is_asked(oscb):
    case = oscb.raise_case()
    while oscb.any_actor(case).has_perm("escalation.escalate_case", case):
        case = case_escalate(
            case=case, by=oscb.any_actor(case), reason="No", expected_version=case.version
        )
    refused = service_refusal(
        case_escalate,
        case=case,
        by=oscb.any_actor(case),
        reason="No",
        expected_version=case.version,
    )
    assert isinstance(refused, InvalidTransition)
    assert "last step" in refused.message
    unchanged(case)
