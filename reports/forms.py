"""The report's filters as a GOV.UK form (read from the query string)."""

from __future__ import annotations

from typing import Any

from django import forms

from config.forms import GovukFormMixin
from escalation.enums import CaseStatus, LearningTheme
from reports.selectors import FilterChoices, ReportFilters

ANY = ("", "Any")


class DateInput(forms.DateInput):
    input_type = "date"


class ReportFilterForm(GovukFormMixin, forms.Form):
    raised_from = forms.DateField(
        label="Raised from", required=False, widget=DateInput(), help_text="For example, 2027-01-01"
    )
    raised_to = forms.DateField(label="Raised to (included)", required=False, widget=DateInput())
    policy = forms.ChoiceField(label="Policy", required=False)
    agency = forms.TypedChoiceField(
        label="Agency",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="On either side of the disagreement",
    )
    other_agency = forms.TypedChoiceField(
        label="And the other agency",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="With an agency above: the disagreements between the two",
    )
    category = forms.ChoiceField(label="Category", required=False)
    route = forms.ChoiceField(label="Route", required=False)
    step_reached = forms.TypedChoiceField(
        label="Step reached",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="The furthest step the case reached",
    )
    risk = forms.ChoiceField(
        label="Risk of significant harm",
        required=False,
        choices=[ANY, ("yes", "Yes"), ("no", "No")],
    )
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[ANY, *CaseStatus.choices])
    theme = forms.ChoiceField(
        label="Learning theme",
        required=False,
        choices=[ANY, *LearningTheme.choices],
        help_text="Lists the learning statements naming this theme (the figures count every theme)",
        error_messages={"invalid_choice": "Choose a learning theme from the list"},
    )

    def __init__(self, *args: Any, choices: FilterChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields  # this form's own copies (Django deep-copies base_fields)
        fields["policy"].choices = [ANY, *choices.policies]
        fields["agency"].choices = [ANY, *choices.agencies]
        fields["other_agency"].choices = [ANY, *choices.agencies]
        fields["category"].choices = [ANY, *choices.categories]
        fields["route"].choices = [ANY, *choices.routes]
        fields["step_reached"].choices = [ANY, *((n, f"Step {n}") for n in choices.steps)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("raised_from"), data.get("raised_to")
        if start and end and end < start:
            self.add_error("raised_to", "The end of the period must be on or after its start")
        agency, other = data.get("agency"), data.get("other_agency")
        if agency and other and agency == other:
            self.add_error("other_agency", "Choose a different agency for the pair")
        return data

    def to_filters(self) -> ReportFilters:
        data = self.cleaned_data
        risk = data.get("risk") or ""
        return ReportFilters(
            raised_from=data.get("raised_from"),
            raised_to=data.get("raised_to"),
            policy=data.get("policy") or "",
            agency=data.get("agency"),
            other_agency=data.get("other_agency"),
            category=data.get("category") or "",
            route=data.get("route") or "",
            step_reached=data.get("step_reached"),
            risk=None if not risk else risk == "yes",
            outcome=data.get("outcome") or "",
            theme=data.get("theme") or "",
        )
