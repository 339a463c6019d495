"""The forms of the raise-a-challenge question pages, and the reads they need.

One form per question page (GOV.UK "question pages": one thing per page). Each form checks
what a person can get wrong on that page, with the Design System's wording for errors; the
service (escalation.domain.case_raise) checks everything again when the case is raised.
The choices come from the partnership's adopted policy (escalation.policy.PolicySpec).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from agencies.calendars import LONDON
from agencies.enums import PARTNERSHIP_ROLES, AgencyKind
from agencies.models import Agency
from config.forms import GovukFormMixin
from escalation.deadlines import DeadlineRule
from escalation.domain import checks
from escalation.enums import AgeBand, SubjectKind
from escalation.policy import Choice, PolicySpec, Question, RouteSpec
from escalation.queries.policies import rule_in_words

NOT_FOR_PREFIX = "not:"
NO_NAMES = "Do not use names: use initials."

KIND_HINTS = {
    SubjectKind.CHILD: "Under 18",
    SubjectKind.YOUNG_PERSON: "Care-experienced, supported up to the age of 25",
    SubjectKind.ADULT: "18 or over",
}

# --- reads ------------------------------------------------------------------------------


def agencies_user_may_raise_for(*, user: Any) -> list[Agency]:
    """The agencies the person may raise a challenge for (the rule escalation.raise_case)."""
    mine = (
        Agency.objects.filter(memberships__user=user)
        .select_related("partnership")
        .distinct()
        .order_by("name")
    )
    return [a for a in mine if user.has_perm("escalation.raise_case", a)]


def agencies_to_disagree_with(*, agency: Agency) -> QuerySet[Agency]:
    """The other agencies of the partnership (the partnership's own board is not one)."""
    return (
        Agency.objects.filter(partnership_id=agency.partnership_id)
        .exclude(pk=agency.pk)
        .exclude(kind=AgencyKind.PARTNERSHIP)
        .order_by("name")
    )


def people_of_agency(*, agency: Agency) -> QuerySet[Any]:
    """Active Resolve users working in the agency (not in a partnership-only role)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__agency=agency)
        .exclude(memberships__role__in=PARTNERSHIP_ROLES, memberships__agency=agency)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# --- what a policy's data says, in words --------------------------------------------------


def first_sentence(text: str) -> str:
    head, dot, _ = text.strip().partition(". ")
    return head + "." if dot else text.strip()


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def _due(rule: DeadlineRule) -> str:
    """The end of "due ...", as the raise pages say it: "within 5 working days"."""
    return rule_in_words(rule, wording="after_due")


def _without_risk(rule: DeadlineRule) -> str:
    return "no deadline" if rule.kind == "none" else f"due {_due(rule)}"


def risk_changes(route: RouteSpec) -> list[str]:
    """What a risk of significant harm changes on this route, read from its steps."""
    ladder = route.ladder
    changed = [s for s in ladder if s.deadline_when_risk != s.deadline]
    lines: list[str] = []
    if changed and len(changed) == len(ladder) and len({s.deadline_when_risk for s in ladder}) == 1:
        usual = {_without_risk(s.deadline) for s in ladder}
        lines.append(
            f"Every step is due {_due(ladder[0].deadline_when_risk)}"
            + (f" (without the risk: {usual.pop()})." if len(usual) == 1 else ".")
        )
    else:
        for step in changed:
            lines.append(
                f"{step.name}: due {_due(step.deadline_when_risk)} "
                f"(without the risk: {_without_risk(step.deadline)})."
            )
    skippable = [s.name for s in ladder if s.may_skip_when_risk]
    if skippable:
        lines.append(
            f"{_join(skippable)} may be skipped, to bring in senior people sooner "
            "(the person acting records why)."
        )
    if not lines:
        lines.append(
            "This policy keeps the same timescales: on the next page you can set an earlier "
            "due moment for the first step, a timescale which protects the person."
        )
    return lines


def subject_words(*, kind: str | None, audience: str) -> str:
    """ "the child", "the young person", "the adult"; by the policy's audience when not known."""
    if kind == SubjectKind.YOUNG_PERSON:
        return "the young person"
    if kind == SubjectKind.ADULT or (kind is None and audience == "adults"):
        return "the adult"
    return "the child" if kind == SubjectKind.CHILD else "the child or young person"


def ordered_questions(route: RouteSpec) -> list[Question]:
    """The route's questions, those that can stop a raising first (ask them before the rest)."""
    return sorted(route.questions, key=lambda q: not any(o.refuses for o in q.options))


def refusal(question: Question, value: Any) -> Choice | None:
    """The option chosen, when the policy says it means the route cannot be used; else None."""
    return checks.refusing_option(question, value)


# --- the forms --------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One radio or checkbox, with what GOV.UK shows beside it."""

    id: str
    value: str
    label: str
    hint: str = ""
    checked: bool = False
    divider: str = ""


class RaiseForm(GovukFormMixin, forms.Form):
    """A question page's form. What it needs from the page (the policy, the agency...) it
    takes by keyword and uses after Form.__init__, like any Django form.

    Radios and checkboxes may have a hint per option and dividers (offer() sets them; items()
    lists them for templates/escalation/raise/_choices.html)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.option_hints: dict[str, dict[str, str]] = {}
        self.dividers: dict[str, dict[str, str]] = {}

    def offer(
        self,
        name: str,
        choices: Iterable[tuple[str, str]],
        *,
        hints: dict[str, str] | None = None,
        dividers: dict[str, str] | None = None,
    ) -> None:
        """Give the radios or checkboxes `name` their options, each option's hint, and the
        dividers shown before options."""
        self.fields[name].choices = list(choices)  # type: ignore[attr-defined]
        self.option_hints[name] = hints or {}
        self.dividers[name] = dividers or {}

    def items(self, name: str) -> list[Item]:
        bound = self[name]
        value = bound.value()
        chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
        hints = self.option_hints.get(name, {})
        dividers = self.dividers.get(name, {})
        return [
            Item(
                id=f"{bound.auto_id}_{index}",
                value=str(key),
                label=str(label),
                hint=hints.get(str(key), ""),
                checked=str(key) in chosen and value not in (None, ""),
                divider=dividers.get(str(key), ""),
            )
            for index, (key, label) in enumerate(bound.field.choices)  # type: ignore[attr-defined]
        ]


def _radios(*, heading: bool = False, **kwargs: Any) -> forms.ChoiceField:
    """Radios; with `heading`, their legend is the page's h1 (templates/govuk/field.html)."""
    field = forms.ChoiceField(widget=forms.RadioSelect, **kwargs)
    field.is_page_heading = heading  # type: ignore[attr-defined]
    return field


def _agency_choices(agencies: Iterable[Agency]) -> list[tuple[str, str]]:
    return [(str(a.pk), a.name) for a in agencies]


class RaiseForForm(RaiseForm):
    agency = _radios(
        heading=True,
        label="Which agency are you raising this challenge for?",
        error_messages={
            "required": "Select the agency you are raising this challenge for",
            "invalid_choice": "Select one of your agencies",
        },
    )

    def __init__(self, *args: Any, agencies: Sequence[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer(
            "agency",
            _agency_choices(agencies),
            hints={str(a.pk): a.partnership.name for a in agencies},
        )


class RouteForm(RaiseForm):
    route = _radios(
        heading=True,
        label="Which kind of disagreement is it?",
        error_messages={
            "required": "Select the kind of disagreement",
            "invalid_choice": "Select one of the kinds of disagreement listed",
        },
    )

    def __init__(self, *args: Any, spec: PolicySpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(r.slug, r.name) for r in spec.routes]
        hints = {r.slug: r.description for r in spec.routes}
        dividers: dict[str, str] = {}
        for index, matter in enumerate(spec.not_for_this_procedure):
            value = f"{NOT_FOR_PREFIX}{matter.slug}"
            choices.append((value, f"Not for this procedure: {matter.name}"))
            hints[value] = first_sentence(matter.guidance)
            if index == 0:
                dividers[value] = "or"
        self.offer("route", choices, hints=hints, dividers=dividers)
        self.fields["route"].help_text = f"The routes of {spec.name}. The first is the usual one."


class RespondingAgencyForm(RaiseForm):
    responding_agency = _radios(
        heading=True,
        label="Which agency do you disagree with?",
        help_text="An agency of your partnership other than your own.",
        error_messages={
            "required": "Select the agency you disagree with",
            "invalid_choice": "Select one of the agencies listed",
        },
    )

    def __init__(self, *args: Any, agencies: Iterable[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("responding_agency", _agency_choices(agencies))


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class ProfessionalForm(RaiseForm):
    responding_professional = forms.CharField(
        label="Their name and role",
        help_text="For example, Sam Patel, duty social worker. The professional only: never the "
        "name of the child or adult.",
        max_length=checks.PROFESSIONAL.characters,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": checks.ENTER["responding_professional"],
            "max_length": checks.PROFESSIONAL.message,
        },
    )
    responding_person = PersonChoiceField(
        queryset=None,
        required=False,
        label="If they use Resolve, choose them (optional)",
        help_text="They are then told about the challenge straight away.",
        empty_label="Not listed, or I do not know",
        error_messages={"invalid_choice": "Select a person from the list, or 'Not listed'"},
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responding_person"].queryset = people_of_agency(agency=agency)  # type: ignore[attr-defined]


class InitialsField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return checks.normal_initials(super().to_python(value))


class SubjectForm(RaiseForm):
    subject_kind = _radios(
        label="Who is it about?",
        error_messages={
            "required": "Select who the disagreement is about",
            "invalid_choice": "Select one of the answers listed",
        },
    )
    subject_initials = InitialsField(
        label="Their initials",
        help_text="1 to 4 letters, for example JD. Resolve keeps no names of children or adults.",
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-4",
                "spellcheck": "false",
                "autocomplete": "off",
            }
        ),
        error_messages={"required": "Enter their initials"},
    )
    subject_age_band = _radios(
        label="Their age",
        error_messages={
            "required": "Select their age band",
            "invalid_choice": "Select one of the age bands listed",
        },
    )

    def __init__(self, *args: Any, spec: PolicySpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds = checks.kinds_for(spec)
        self.offer(
            "subject_kind",
            [(k, SubjectKind(k).label) for k in kinds],
            hints={k: KIND_HINTS[SubjectKind(k)] for k in kinds},
        )
        allowed = {b for k in kinds for b in checks.BANDS_OF_KIND[k]}
        self.offer("subject_age_band", [(b.value, b.label) for b in AgeBand if b in allowed])

    def clean_subject_initials(self) -> str:
        initials = self.cleaned_data["subject_initials"]
        problem = checks.initials_problem(initials)
        if problem is not None:
            raise forms.ValidationError(problem)
        return initials

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, band = data.get("subject_kind"), data.get("subject_age_band")
        problem = checks.age_band_problem(kind, band, kinds=self.kinds) if kind and band else None
        if problem is not None:
            self.add_error("subject_age_band", problem)
        return data


def _record_number(limit: checks.Limit) -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=limit.characters,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-20", "spellcheck": "false"}
        ),
        error_messages={"max_length": limit.message},
    )


class RecordNumbersForm(RaiseForm):
    challenging_record_number = _record_number(checks.OUR_RECORD_NUMBER)
    responding_record_number = _record_number(checks.THEIR_RECORD_NUMBER)

    def __init__(
        self, *args: Any, agency: Agency, responding: Agency | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["challenging_record_number"].label = f"{agency.name} record number (optional)"
        theirs = self.fields["responding_record_number"]
        theirs.label = (
            f"{responding.name if responding else 'The other agency'} record number (optional)"
        )
        theirs.help_text = "If you know it."


class CategoryForm(RaiseForm):
    category = _radios(
        heading=True,
        label="Which of these is the disagreement about?",
        help_text="Choose the nearest.",
        error_messages={
            "required": "Select what the disagreement is about",
            "invalid_choice": "Select one of the answers listed",
        },
    )

    def __init__(self, *args: Any, spec: PolicySpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer(
            "category",
            [(c.slug, c.name) for c in spec.categories],
            hints={c.slug: c.guidance for c in spec.categories},
        )


def _question_field(question: Question) -> forms.Field:
    choices = [(o.slug, o.name) for o in question.options]
    field: Any
    if question.kind == "choice":
        field = forms.ChoiceField(
            choices=choices,
            widget=forms.RadioSelect,
            required=question.required,
            error_messages={
                "required": checks.answer_required_message(question),
                "invalid_choice": checks.answer_unknown_message(question),
            },
        )
    elif question.kind == "multiple":
        field = forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            required=question.required,
            error_messages={
                "required": checks.answer_required_message(question),
                "invalid_choice": checks.answer_unknown_message(question),
            },
        )
    else:
        field = forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}),
            required=question.required,
            max_length=checks.ANSWER.characters,
            error_messages={
                "required": checks.answer_required_message(question),
                "max_length": checks.ANSWER.message,
            },
        )
    field.label = question.label + ("" if question.required else " (optional)")
    field.help_text = question.hint
    field.is_page_heading = True
    field.legend_class = "govuk-fieldset__legend--l"
    return field


class RouteQuestionForm(RaiseForm):
    """One question a special route asks (escalation.policy.Question), as its one field,
    named "answer"."""

    def __init__(self, *args: Any, question: Question, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question = question
        self.fields["answer"] = _question_field(question)
        self.option_hints["answer"] = {o.slug: o.guidance for o in question.options}


class DisagreementForm(RaiseForm):
    disagreement = forms.CharField(
        label="What do you disagree with, in your words?",
        help_text="What was decided or done, and why you disagree. " + NO_NAMES,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=checks.DISAGREEMENT.characters,
        error_messages={
            "required": checks.ENTER["disagreement"],
            "max_length": checks.DISAGREEMENT.message,
        },
    )
    impact = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=checks.IMPACT.characters,
        error_messages={
            "required": checks.ENTER["impact"],
            "max_length": checks.IMPACT.message,
        },
    )

    def __init__(self, *args: Any, subject: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["impact"].label = f"What is the impact on {subject}?"
        self.fields["impact"].help_text = (
            f"How the decision affects {subject}, their family, and the professionals. " + NO_NAMES
        )


class RiskForm(RaiseForm):
    risk = _radios(
        choices=[("yes", "Yes"), ("no", "No")],
        error_messages={
            "required": "Select yes if there is a risk of significant harm",
            "invalid_choice": "Select yes or no",
        },
    )

    def __init__(self, *args: Any, subject: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["risk"].label = f"Is {subject} at risk of significant harm?"


def _date_box(max_length: int) -> forms.CharField:
    return forms.CharField(
        required=False, max_length=max_length, error_messages={"max_length": "Enter a real date"}
    )


class DueForm(RaiseForm):
    """An earlier due moment for the first step (GOV.UK date input, and a time)."""

    due_day = _date_box(2)
    due_month = _date_box(2)
    due_year = _date_box(4)
    due_time = forms.CharField(
        required=False,
        max_length=5,
        label="Time",
        help_text="24-hour clock, for example 14:30",
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-5", "inputmode": "numeric"}
        ),
        error_messages={"max_length": "Enter the time as hours and minutes, for example 14:30"},
    )

    def __init__(
        self, *args: Any, now: dt.datetime, policy_due: dt.datetime | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        self.policy_due = policy_due

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        day, month, year = (data.get(n, "").strip() for n in ("due_day", "due_month", "due_year"))
        time_text = data.get("due_time", "").strip()
        data["due_at"] = None
        if not any((day, month, year, time_text)):
            return data
        missing = [w for w, v in (("day", day), ("month", month), ("year", year)) if not v]
        if len(missing) == 3:
            self.add_error("due_day", "Enter the date, or leave the time empty")
            return data
        if missing:
            self.add_error("due_day", f"The date must include a {' and '.join(missing)}")
            return data
        try:
            date = dt.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # a number too big for a date
            self.add_error("due_day", "Enter a real date")
            return data
        if len(year) != 4:
            self.add_error("due_day", "The year must include 4 numbers")
            return data
        match = re.fullmatch(r"([01]?\d|2[0-3])[:.]([0-5]\d)", time_text)
        if not time_text:
            self.add_error("due_time", "Enter the time, for example 14:30")
            return data
        if match is None:
            self.add_error("due_time", "Enter the time as hours and minutes, for example 14:30")
            return data
        local = dt.datetime.combine(date, dt.time(int(match[1]), int(match[2])), tzinfo=LONDON)
        moment = local.astimezone(dt.UTC)
        problem = checks.earlier_due_problem(moment, now=self.now, policy_due=self.policy_due)
        if problem is not None:
            self.add_error("due_day", problem)
            return data
        data["due_at"] = moment
        return data
