"""The GOV.UK form wiring (config.forms) and the forms of the case and oversight pages: a
field with an error gets its GOV.UK error class and is described by its error message; making
a form never validates it, so a form may set its choices or add fields after __init__."""

from __future__ import annotations

import re

import pytest
from django import forms

from config.forms import GovukFormMixin
from escalation.enums import LearningTheme
from escalation.pages.case.forms import ReassignForm, RecordForm, ResolveForm
from escalation.pages.oversight.forms import OverdueFilterForm
from escalation.policy import RecordField
from escalation.queries.case_page import Candidate
from escalation.queries.oversight import FilterChoices


class Sample(GovukFormMixin, forms.Form):
    name = forms.CharField(label="Name", help_text="As on your badge")
    notes = forms.CharField(label="Notes", widget=forms.Textarea)
    colour = forms.ChoiceField(label="Colour", choices=[("", "Choose"), ("red", "Red")])
    code = forms.CharField(
        label="Code",
        required=False,
        max_length=2,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-4"}),
    )


def tag(html: str, name: str) -> str:
    """The opening tag of the control named `name`."""
    found = re.search(rf'<(?:input|textarea|select)[^>]*name="{name}"[^>]*>', html)
    assert found is not None, name
    return found.group(0)


def classes(html: str, name: str) -> list[str]:
    found = re.search(r'class="([^"]*)"', tag(html, name))
    assert found is not None, name
    return found.group(1).split()


def test_fields_without_errors_have_their_govuk_class_only():
    html = str(Sample())
    assert classes(html, "name") == ["govuk-input"]
    assert classes(html, "notes") == ["govuk-textarea"]
    assert classes(html, "colour") == ["govuk-select"]
    assert classes(html, "code") == ["govuk-input", "govuk-input--width-4"]
    assert 'aria-describedby="id_name-hint"' in tag(html, "name")
    assert "aria-describedby" not in tag(html, "notes")
    assert "govuk-form-group--error" not in html


def test_a_field_with_an_error_gets_its_error_class_and_is_described_by_it():
    form = Sample({"name": "", "notes": "", "colour": "blue", "code": "toolong"})
    assert form.is_valid() is False
    html = str(form)
    assert classes(html, "name") == ["govuk-input", "govuk-input--error"]
    assert classes(html, "notes") == ["govuk-textarea", "govuk-textarea--error"]
    assert classes(html, "colour") == ["govuk-select", "govuk-select--error"]
    assert classes(html, "code") == ["govuk-input", "govuk-input--width-4", "govuk-input--error"]
    assert 'aria-describedby="id_name-hint id_name-error"' in tag(html, "name")
    assert 'aria-describedby="id_notes-error"' in tag(html, "notes")
    assert 'id="id_notes-error"' in html  # the message the control names
    assert html.count("govuk-form-group--error") == 4


def test_only_the_fields_with_errors_get_the_error_class():
    form = Sample({"name": "Sam", "notes": "", "colour": "red", "code": ""})
    assert form.is_valid() is False
    html = str(form)
    assert classes(html, "name") == ["govuk-input"]
    assert classes(html, "notes") == ["govuk-textarea", "govuk-textarea--error"]
    assert classes(html, "colour") == ["govuk-select"]
    assert html.count("govuk-form-group--error") == 1


def test_rendering_leaves_the_widget_as_declared():
    form = Sample({"name": "", "notes": "", "colour": "", "code": ""})
    str(form)
    assert "class" not in form.fields["name"].widget.attrs
    assert form.fields["code"].widget.attrs["class"] == "govuk-input govuk-input--width-4"


def test_making_a_bound_form_does_not_validate_it():
    choices = FilterChoices(
        steps=[(2, "Step 2")], agencies=[], policies=[], routes=[], categories=[]
    )
    form = OverdueFilterForm({"step": "2"}, choices=choices)
    assert form._errors is None  # nothing cleaned yet
    assert form.is_valid() is True
    assert form.filters()["step"] == 2


def test_choices_set_after_init_count_when_the_form_is_cleaned():
    form = Sample({"name": "Sam", "notes": "n", "colour": "green", "code": ""})
    form.fields["colour"].choices = [("green", "Green")]
    assert form.is_valid() is True


def test_reassign_form_lists_each_sides_people_before_the_reason():
    sides = [("challenging", "challenging agency"), ("responding", "responding agency")]
    candidates = {
        "challenging": [Candidate(pk=7, label="Ada Lovelace, line manager")],
        "responding": [Candidate(pk=9, label="Sam Patel, line manager")],
    }
    form = ReassignForm({"version": "1", "side": "responding"}, sides=sides, candidates=candidates)
    assert list(form.fields) == ["version", "side", "to_challenging", "to_responding", "reason"]
    assert form.is_valid() is False
    # The error summary lists them in the order of the page.
    assert [field.name for field in form if field.errors] == ["to_responding", "reason"]
    assert form.errors["to_responding"] == ["Select the person who should act"]
    other = ReassignForm(
        {"version": "1", "side": "responding", "to_responding": "9", "reason": "Away"},
        sides=sides,
        candidates=candidates,
    )
    assert other.is_valid() is True
    assert other.cleaned_data["to_responding"] == 9


def test_record_form_has_the_sections_fields_then_the_meeting_and_the_outcome():
    fields = [
        RecordField(slug="concerns", label="Concerns", kind="long_text"),
        RecordField(slug="resolution-reached", label="Was a resolution reached?", kind="yes_no"),
        RecordField(slug="email", label="Email", kind="email"),
    ]
    form = RecordForm(
        {"version": "1", "part_email": "nope", "outcome": "resolve"},
        record_fields=fields,
        outcomes=[("resolve", "Resolved")],
        meeting_required=True,
    )
    assert list(form.fields) == [
        "version",
        "part_concerns",
        "part_email",
        "meeting_held",
        "outcome",
    ]
    assert form.fields["meeting_held"].help_text == "This step requires a meeting."
    assert form.is_valid() is False
    html = str(form)
    assert classes(html, "part_concerns") == ["govuk-textarea", "govuk-textarea--error"]
    assert classes(html, "part_email") == ["govuk-input", "govuk-input--error"]
    assert form.errors["part_concerns"] == [
        "Write the record of this step: at least one of its parts"
    ]


def test_resolve_form_offers_the_learning_themes_of_the_enum():
    assert ResolveForm().fields["themes"].choices == LearningTheme.choices
    assert LearningTheme("threshold-guidance").label == "Threshold guidance"


@pytest.mark.parametrize("theme", list(LearningTheme))
def test_every_theme_is_accepted(theme):
    form = ResolveForm(
        {
            "version": "1",
            "learning": "Share thresholds.",
            "themes": [theme.value],
            "debrief_recommended": "no",
            "case_review_recommended": "no",
        }
    )
    assert form.is_valid() is True
    assert form.cleaned_data["themes"] == [theme.value]
