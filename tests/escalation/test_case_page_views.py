"""What the case page shows since issue 4's mending: a step with no deadline says so once, the
PDFs of the written record are linked for those who may produce them, and a field with an
error carries its GOV.UK error class on the action, raise and overdue pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from agencies.enums import Role
from escalation.models import Case
from escalation.pages.case.views import case_page_context
from tests.escalation.test_raise_views import answers, begin, key_of, walk

pytestmark = pytest.mark.django_db


def url(name: str, case: Case) -> str:
    return reverse(f"escalation:{name}", args=[case.reference])


def text(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode()


def step_entry(html: str, number: int) -> str:
    """The timeline's entry for step `number`: from its anchor to the next step's."""
    found = re.search(rf'<li id="step-{number}".*?(?=<li id="step-|</ol>)', html, re.S)
    assert found is not None, number
    return found.group(0)


def control(html: str, name: str) -> str:
    """The opening tag of the input, textarea or select named `name`."""
    found = re.search(rf'<(?:input|textarea|select)\b[^>]*\bname="{name}"[^>]*>', html)
    assert found is not None, name
    return found.group(0)


def classes(tag: str) -> list[str]:
    found = re.search(r'class="([^"]*)"', tag)
    assert found is not None, tag
    return found.group(1).split()


# --- "No deadline", once ------------------------------------------------------------------


def test_a_current_step_with_no_deadline_says_so_once(client, due_never):
    case = due_never.raise_case()  # no deadline without a risk of significant harm
    assert case.current_step.due_at is None
    client.force_login(case.raised_by)
    html = text(client.get(url("case", case)))
    current = step_entry(html, 1)
    assert "Current step" in current
    assert current.count("No deadline") == 1
    assert "How this was worked out" not in current  # it would only say "No deadline" again
    # The steps to come still say their rule, each once.
    assert step_entry(html, 2).count("No deadline; same working day when at risk") == 1


def test_a_current_step_with_a_deadline_shows_the_time_left_and_how(client, sab):
    case = sab.raise_case(risk_of_significant_harm=True)  # due the same working day
    assert case.current_step.due_at is not None
    client.force_login(case.raised_by)
    current = step_entry(text(client.get(url("case", case))), 1)
    assert "No deadline" not in current
    assert "How this was worked out" in current
    assert "left" in current or "Overdue" in current


def test_the_set_due_page_says_no_deadline_once(client, due_never):
    case = due_never.raise_case()
    client.force_login(case.raised_by)
    html = text(client.get(url("case_set_due", case)))
    assert html.count("No deadline") == 1


# --- the link to the case's PDFs ---------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("challenging", Role.PRACTITIONER),
        ("challenging", Role.SAFEGUARDING_LEAD),
        ("responding", Role.PRACTITIONER),
        ("responding", Role.LINE_MANAGER),
        ("board", Role.BOARD_STAFF),
    ],
)
def test_the_case_page_links_the_pdfs_for_those_who_may_produce_them(client, oscb, where, role):
    case = oscb.raise_case()
    person = oscb.person(where, role)
    assert person.has_perm("proforma.produce_pdf", case)
    client.force_login(person)
    pdfs = reverse("proforma:list", args=[case.reference])
    assert f'href="{pdfs}"' in text(client.get(url("case", case)))
    assert client.get(pdfs).status_code == 200  # the link leads somewhere they may go


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("unrelated", Role.PRACTITIONER),
        ("unrelated", Role.SAFEGUARDING_LEAD),
        ("elsewhere", Role.BOARD_STAFF),
        ("board", Role.STRATEGIC_MANAGER),  # no partnership step reached yet
    ],
)
def test_those_who_may_not_produce_pdfs_get_neither_the_case_nor_the_link(
    client, oscb, where, role
):
    case = oscb.raise_case()
    person = oscb.person(where, role)
    assert not person.has_perm("proforma.produce_pdf", case)
    client.force_login(person)
    response = client.get(url("case", case))
    assert response.status_code == 404
    assert reverse("proforma:list", args=[case.reference]) not in response.content.decode()
    assert client.get(reverse("proforma:list", args=[case.reference])).status_code == 404


@pytest.mark.parametrize(("person", "linked"), [("raiser", True), ("unrelated", False)])
def test_the_link_follows_the_proforma_permission_in_the_template(oscb, person, linked):
    """The template asks the rule itself: rendered for someone the rule refuses, it leaves
    the link out (the view never renders it for them: they get a 404 first)."""
    case = oscb.raise_case()
    user = case.raised_by if person == "raiser" else oscb.person("unrelated", Role.PRACTITIONER)
    request = RequestFactory().get(url("case", case))
    request.user = user
    html = render_to_string(
        "escalation/case/detail.html", case_page_context(case=case), request=request
    )
    pdfs = reverse("proforma:list", args=[case.reference])
    assert (f'href="{pdfs}"' in html) is linked
    request.user = AnonymousUser()
    html = render_to_string(
        "escalation/case/detail.html", case_page_context(case=case), request=request
    )
    assert f'href="{pdfs}"' not in html


# --- a field with an error carries its error class ------------------------------------------


def test_an_action_page_marks_the_textarea_in_error(client, oscb):
    case = oscb.raise_case()
    client.force_login(case.raised_by)
    html = text(client.post(url("case_escalate", case), {"version": case.version, "reason": " "}))
    reason = control(html, "reason")
    assert classes(reason) == ["govuk-textarea", "govuk-textarea--error"]
    assert 'aria-describedby="id_reason-hint id_reason-error"' in reason
    assert 'id="id_reason-error"' in html
    assert "govuk-form-group--error" in html


def test_a_raise_page_marks_the_input_and_textareas_in_error(client, oscb):
    url_ = begin(client, oscb.person("challenging", Role.PRACTITIONER))
    given = answers(oscb)
    professional = walk(client, url_, given, until="professional")
    html = text(client.post(professional, {"responding_professional": "", "responding_person": ""}))
    assert classes(control(html, "responding_professional")) == [
        "govuk-input",
        "govuk-input--error",
    ]
    assert classes(control(html, "responding_person")) == ["govuk-select"]  # no error there
    disagreement = walk(client, professional, given, until="disagreement")
    assert key_of(disagreement) == "disagreement"
    html = text(client.post(disagreement, {"disagreement": "", "impact": "Left at home."}))
    assert classes(control(html, "disagreement")) == ["govuk-textarea", "govuk-textarea--error"]
    assert classes(control(html, "impact")) == ["govuk-textarea"]


def test_the_overdue_filter_marks_the_select_in_error(client, oscb):
    client.force_login(oscb.person("responding", Role.SAFEGUARDING_LEAD))
    html = text(client.get(reverse("escalation:overdue") + "?step=42"))
    assert classes(control(html, "step")) == ["govuk-select", "govuk-select--error"]
    assert classes(control(html, "agency")) == ["govuk-select"]
