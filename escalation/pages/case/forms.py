"""The forms of the case page's actions. Each carries the case's version, which the view
passes to the service as expected_version, so that a form left open while someone else acted
saves nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.calendars import LONDON, UTC
from config.forms import GovukFormMixin
from escalation.domain import checks
from escalation.enums import LearningTheme
from escalation.policy import RecordField
from escalation.queries.case_page import Candidate

YES_NO = (("yes", "Yes"), ("no", "No"))

OUTCOME_RESOLVE = "resolve"
OUTCOME_ESCALATE = "escalate"

TIME = re.compile(r"^(\d{1,2})[:.]?(\d{2})$")


def legend(field: forms.Field, size: str = "s") -> forms.Field:
    """A radios or checkboxes field whose legend is of this size (templates/govuk/field.html)."""
    field.legend_class = f"govuk-fieldset__legend--{size}"  # type: ignore[attr-defined]
    return field


def yes_no_field(label: str, *, required_message: str, help_text: str = "") -> forms.Field:
    return legend(
        forms.TypedChoiceField(
            label=label,
            choices=YES_NO,
            coerce=lambda value: value == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
            help_text=help_text,
            error_messages={"required": required_message},
        )
    )


def text_field(label: str, *, required_message: str = "", help_text: str = "") -> forms.Field:
    return forms.CharField(
        label=label,
        required=bool(required_message),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=help_text,
        error_messages={"required": required_message} if required_message else None,
    )


class TelInput(forms.TextInput):
    input_type = "tel"


# --- the GOV.UK date input (day, month, year; and a time where asked) ------------------------


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes (and a time box): the GOV.UK date input pattern."""

    def __init__(self, *, with_time: bool = False) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(),
            "month": forms.TextInput(),
            "year": forms.TextInput(),
        }
        if with_time:
            widgets["time"] = forms.TextInput()
        self.with_time = with_time
        super().__init__(widgets)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.datetime):
            local = value.astimezone(LONDON)
            return [local.day, local.month, local.year, f"{local:%H:%M}"]
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None] * len(self.widgets)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id")
        looks = {
            "_day": ("Day", 2, "numeric"),
            "_month": ("Month", 2, "numeric"),
            "_year": ("Year", 4, "numeric"),
            "_time": ("Time", 5, ""),
        }
        for index, (suffix, sub) in enumerate(
            zip(self.widgets_names, context["widget"]["subwidgets"], strict=True)  # type: ignore[attr-defined]
        ):
            label, width, inputmode = looks[suffix]
            sub["label"], sub["width"], sub["inputmode"] = label, width, inputmode
            sub["attrs"].pop("aria-describedby", None)
            # The first box takes the field's own id: the error summary's link lands on it.
            if base_id:
                sub["attrs"]["id"] = base_id if index == 0 else f"{base_id}{suffix}"
        return context


class GovukDateField(forms.MultiValueField):
    """A date (or a date and time, UK time) from the GOV.UK date input, with its messages."""

    def __init__(self, *, with_time: bool = False, **kwargs: Any) -> None:
        self.with_time = with_time
        parts = 4 if with_time else 3
        super().__init__(
            fields=[forms.CharField(required=False) for _ in range(parts)],
            widget=GovukDateWidget(with_time=with_time),
            require_all_fields=False,
            **kwargs,
        )
        # The GOV.UK date input is a fieldset of boxes, not one labelled input.
        self.template_name = "escalation/case/_date_field.html"

    def compress(self, data_list: Sequence[Any]) -> dt.date | dt.datetime | None:
        values = [str(v or "").strip() for v in data_list]
        if not any(values):
            return None
        values += [""] * (4 - len(values))
        day, month, year, clock = values[:4]
        label = str(self.label)
        missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise ValidationError(f"{label} must include a {' and a '.join(missing)}")
        try:
            date = dt.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # a number too big for a date
            raise ValidationError(f"{label} must be a real date") from None
        if len(year) != 4:
            raise ValidationError(f"{label}: the year must have 4 numbers")
        if not self.with_time:
            return date
        match = TIME.match(clock)
        if not clock:
            raise ValidationError(f"{label} must include a time, for example 17:00")
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValidationError(
                f"{label}: enter the time on the 24-hour clock, for example 09:30 or 17:00"
            )
        local = dt.datetime.combine(date, dt.time(int(match[1]), int(match[2])), tzinfo=LONDON)
        return local.astimezone(UTC)


# --- the forms ------------------------------------------------------------------------------


class CaseActionForm(GovukFormMixin, forms.Form):
    """Every action's form: the case's version as it was when the form was opened."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    # A service's InvalidInput names its own input; where the form calls it otherwise.
    service_fields: dict[str, str] = {}

    def field_for(self, service_field: str) -> str | None:
        """The form's field that shows a service's error about `service_field` (None: the
        error belongs to the whole form)."""
        name = self.service_fields.get(service_field, service_field)
        return name if name in self.fields else None


class EscalateForm(CaseActionForm):
    reason = text_field(
        "Why is the disagreement not resolved at this step?",
        required_message=checks.ENTER["escalate"],
        help_text="The people at the next step, and the case's history, will show this.",
    )


class SkipForm(CaseActionForm):
    reason = text_field(
        "Why must this step be skipped?",
        required_message=checks.ENTER["skip"],
        help_text="Say what makes the risk of significant harm call for more senior people now.",
    )


class WithdrawForm(CaseActionForm):
    reason = text_field(
        "Why is the challenge withdrawn?",
        required_message=checks.ENTER["withdraw"],
        help_text="The responding agency and the people acting now are told it was withdrawn.",
    )


class AgreeForm(CaseActionForm):
    """Agreeing needs nothing typed: the case's version only."""


class DisputeForm(CaseActionForm):
    reason = text_field(
        "Why do you not agree that the case is resolved?",
        required_message=checks.ENTER["dispute"],
    )


class ChaseForm(CaseActionForm):
    reason = text_field(
        "Why are you chasing this step?",
        required_message=checks.ENTER["chase"],
        help_text=(
            "The case's history keeps it; the people told are asked to read it on the case "
            "page. Do not name the child, young person or adult."
        ),
    )

    def clean_reason(self) -> str:
        text = str(self.cleaned_data.get("reason") or "").strip()
        problem = checks.CHASE_REASON.problem(text)
        if problem:
            raise ValidationError(problem)
        return text


class ResolveForm(CaseActionForm):
    learning = text_field(
        "What should be learned from this disagreement?",
        required_message=checks.ENTER["resolve"],
        help_text=(
            "For the safeguarding partnership's board: what should change, for whom. "
            "Do not name the child, young person or adult."
        ),
    )
    themes = legend(
        forms.MultipleChoiceField(
            label="Which themes does the learning touch?",
            choices=LearningTheme.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="Select all that apply.",
        )
    )
    debrief_recommended = yes_no_field(
        "Do you recommend that the people and agencies involved debrief together?",
        required_message="Select yes if you recommend a debrief",
    )
    case_review_recommended = yes_no_field(
        "Do you recommend a multi-agency case review?",
        required_message="Select yes if you recommend a multi-agency case review",
        help_text="Where there may be lessons for future practice.",
    )


class ReassignForm(CaseActionForm):
    """Name the person who acts for one side at the current step: the sides that act there,
    each with the people of its agency."""

    side = forms.ChoiceField(
        label="Which side are you naming someone for?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the side you are naming someone for",
            "invalid_choice": (
                "Select your own agency's side: only a person of the acting side may name "
                "who acts for it"
            ),
        },
    )
    reason = text_field("Why is the step reassigned?", required_message=checks.ENTER["reassign"])

    def __init__(
        self,
        *args: Any,
        sides: Sequence[tuple[str, str]],
        candidates: dict[str, list[Candidate]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sides = list(sides)
        self.fields["side"].choices = self.sides  # type: ignore[attr-defined]
        for side, words in self.sides:
            self.fields[f"to_{side}"] = legend(
                forms.TypedChoiceField(
                    label=f"Who should act for the {words}?",
                    choices=[(str(c.pk), c.label) for c in candidates.get(side, [])],
                    coerce=int,
                    required=False,
                    widget=forms.RadioSelect,
                )
            )
        # Each side's people come under it, before the reason (the error summary's order).
        self.order_fields(["version", "side", *(f"to_{side}" for side, _ in self.sides)])

    def person_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(side, self[f"to_{side}"]) for side, _ in self.sides]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        side = data.get("side")
        if side and not data.get(f"to_{side}"):
            self.add_error(f"to_{side}", "Select the person who should act")
        return data

    def field_for(self, service_field: str) -> str | None:
        if service_field == "to":
            side = self.cleaned_data.get("side") if hasattr(self, "cleaned_data") else None
            return f"to_{side}" if side and f"to_{side}" in self.fields else None
        return super().field_for(service_field)


class SetDueForm(CaseActionForm):
    due_at = GovukDateField(
        with_time=True,
        label="New due moment",
        help_text="UK time, 24-hour clock. For example, 27 3 2027 and 17:00.",
        error_messages={"required": "Enter the new due date and time"},
    )
    reason = forms.CharField(
        label="Reason (needed for a moment later than the one now set)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "An earlier moment, to protect the child or adult, needs no reason. "
            "A later one is recorded with its reason."
        ),
    )


class MeetTargetForm(CaseActionForm):
    """Only the confirmation."""


class RecordForm(CaseActionForm):
    """The record of a step: the written parts its policy's record section names, the
    meeting, and the outcome."""

    service_fields = {"meeting_held": "meeting_held"}

    def __init__(
        self,
        *args: Any,
        record_fields: Sequence[RecordField],
        outcomes: Sequence[tuple[str, str]],
        meeting_required: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.record_fields = list(record_fields)
        self.derived: dict[str, str] = {}  # record slug -> what fills it ("outcome")
        # A signature is never typed: the service records who confirmed the record, in which
        # role, and when (the pro forma prints it). The page says so instead of asking.
        self.signature_labels = [f.label for f in self.record_fields if f.kind == "signature"]
        for f in self.record_fields:
            if f.slug == "resolution-reached" and f.kind == "yes_no":
                self.derived[f.slug] = "outcome"  # the outcome question below answers it
                continue
            if f.kind == "signature":
                continue
            self.fields[f"part_{f.slug}"] = _record_field(f)
        self.fields["meeting_held"] = yes_no_field(
            "Was a meeting held?",
            required_message="Select yes if a meeting was held",
            help_text=(
                "This step requires a meeting." if meeting_required else "Face to face or by video."
            ),
        )
        self.fields["outcome"] = legend(
            forms.ChoiceField(
                label="What was the outcome?",
                choices=list(outcomes),
                widget=forms.RadioSelect,
                error_messages={"required": "Select the outcome of this step"},
            ),
            "m",
        )

    def written_fields(self) -> list[str]:
        return [
            f"part_{f.slug}"
            for f in self.record_fields
            if f.kind in ("long_text", "text") and f"part_{f.slug}" in self.fields
        ]

    def field_for(self, service_field: str) -> str | None:
        if service_field == "record":
            written = self.written_fields()
            return written[0] if written else None
        return super().field_for(service_field)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        written = self.written_fields()
        if written and not any((data.get(name) or "").strip() for name in written):
            self.add_error(written[0], checks.RECORD_EMPTY)
        return data

    def record(self) -> dict[str, str]:
        """The record as the service stores it: the policy's field slugs to text."""
        data = self.cleaned_data
        record: dict[str, str] = {}
        for f in self.record_fields:
            if f.slug in self.derived:
                record[f.slug] = "yes" if data.get("outcome") == OUTCOME_RESOLVE else "no"
                continue
            if f.kind == "signature":
                continue
            value = data.get(f"part_{f.slug}")
            if isinstance(value, dt.date):
                record[f.slug] = value.isoformat()
            elif isinstance(value, bool):
                record[f.slug] = "yes" if value else "no"
            elif value not in (None, ""):
                record[f.slug] = str(value)
        return record


def _record_field(f: RecordField) -> forms.Field:
    """The form field of one field of a policy's record section, by its kind."""
    if f.kind == "long_text":
        return forms.CharField(
            label=f.label,
            required=False,
            max_length=checks.record_limit(f.kind),
            error_messages={"max_length": checks.record_limit_message(f.label, f.kind)},
            widget=forms.Textarea(attrs={"rows": 5}),
        )
    if f.kind == "yes_no":
        return legend(
            forms.TypedChoiceField(
                label=f.label,
                choices=YES_NO,
                coerce=lambda value: value == "yes",
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
        )
    if f.kind == "date":
        return GovukDateField(label=f.label, required=False)
    if f.kind == "email":
        return forms.EmailField(
            label=f.label,
            required=False,
            error_messages={"invalid": checks.EMAIL_MESSAGE},
        )
    if f.kind == "phone":
        return forms.CharField(
            label=f.label,
            required=False,
            max_length=checks.record_limit(f.kind),
            error_messages={"max_length": checks.record_limit_message(f.label, f.kind)},
            widget=TelInput(attrs={"class": "govuk-input govuk-input--width-20"}),
        )
    return forms.CharField(
        label=f.label,
        required=False,
        max_length=checks.record_limit(f.kind),
        error_messages={"max_length": checks.record_limit_message(f.label, f.kind)},
    )


def record_initial(
    *, fields: Sequence[RecordField], record: dict[str, Any], meeting_held: Any
) -> dict[str, Any]:
    """What a record form starts with: the step's record so far and today's date."""
    initial: dict[str, Any] = {}
    today = timezone.localdate()
    for f in fields:
        value = record.get(f.slug)
        name = f"part_{f.slug}"
        if f.kind == "date":
            try:
                initial[name] = dt.date.fromisoformat(str(value)) if value else today
            except ValueError:
                initial[name] = today
        elif f.kind == "yes_no":
            if value in ("yes", "no"):
                initial[name] = value
        elif value:
            initial[name] = value
    if meeting_held is not None:
        initial["meeting_held"] = "yes" if meeting_held else "no"
    return initial


__all__ = [
    "OUTCOME_ESCALATE",
    "OUTCOME_RESOLVE",
    "EscalateForm",
    "GovukDateField",
    "MeetTargetForm",
    "ReassignForm",
    "RecordForm",
    "ResolveForm",
    "SetDueForm",
    "SkipForm",
    "WithdrawForm",
    "record_initial",
]
