"""Forms of the oversight pages: the filters of the overdue and board case lists, and the
policy timeline preview. All are GET forms: they change nothing.

Dates and times follow the GOV.UK date input pattern: separate day, month and year boxes
(hour and minute boxes for a time, on the 24-hour clock), one error message for the whole
date, linked from the error summary to the first box that is wrong, every wrong box
highlighted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms

from agencies.calendars import LONDON, UTC
from agencies.enums import Nation
from config.forms import GovukFormMixin
from escalation.enums import CaseStatus
from escalation.policy import PolicySpec
from escalation.queries.oversight import FilterChoices

ANY = ("", "Any")
RISK_CHOICES = [("yes", "At risk of significant harm"), ("no", "No risk flagged")]
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
DATE_PARTS = ("day", "month", "year")
TIME_PARTS = ("hour", "minute")


def _select(label: str, what: str) -> forms.ChoiceField:
    """An optional filter; `what` completes "Select ... from the list"."""
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[ANY],
        error_messages={"invalid_choice": f"Select {what} from the list"},
    )


def _options(choices: list[tuple[Any, str]]) -> list[tuple[str, str]]:
    return [ANY, *[(str(value), name) for value, name in choices]]


def _box(label: str, width: int) -> forms.CharField:
    """One box of a GOV.UK date or time input."""
    box = forms.CharField(label=label, required=False, max_length=10)
    box.widget.attrs.update(
        {
            "class": f"govuk-input govuk-date-input__input govuk-input--width-{width}",
            "inputmode": "numeric",
        }
    )
    return box


@dataclass
class DateGroup:
    """One GOV.UK date or time input, ready for templates/escalation/oversight/_date_input.html."""

    id: str
    legend: str
    hint: str
    items: list[tuple[Any, bool]]  # (bound field, whether that box is wrong)
    error: str
    describedby: str


class DateInputsMixin:
    """Reads a GOV.UK date input (fields `<prefix>_day`, `_month`, `_year`) or time input
    (`<prefix>_hour`, `_minute`), and remembers which boxes are wrong for the template.

    The error is added to the first wrong box's field, so the error summary links to it and
    shows the message once.
    """

    wrong_boxes: dict[str, set[str]]
    group_errors: dict[str, str]

    def group_error(self, group: str, prefix: str, parts: list[str], message: str) -> None:
        self.wrong_boxes[group] = set(parts)
        self.group_errors[group] = message
        self.add_error(f"{prefix}_{parts[0]}", message)  # type: ignore[attr-defined]

    def _boxes(self, prefix: str, parts: tuple[str, ...]) -> dict[str, str]:
        data: dict[str, Any] = self.cleaned_data  # type: ignore[attr-defined]
        return {p: (data.get(f"{prefix}_{p}") or "").strip() for p in parts}

    def read_date(self, prefix: str, what: str, *, required: bool) -> dt.date | None:
        """The date in the boxes; `what` names it in errors ("The date the case is raised").
        None when empty and not required, or after adding an error."""
        values = self._boxes(prefix, DATE_PARTS)
        missing = [p for p in DATE_PARTS if not values[p]]
        if len(missing) == len(DATE_PARTS):
            if required:
                self.group_error(prefix, prefix, list(DATE_PARTS), f"Enter {_lower(what)}")
            return None
        if missing:
            self.group_error(
                prefix, prefix, missing, f"{what} must include a {' and a '.join(missing)}"
            )
            return None
        not_numbers = [p for p in DATE_PARTS if not values[p].isdigit()]
        if not_numbers:
            self.group_error(prefix, prefix, not_numbers, f"{what} must be a real date")
            return None
        if len(values["year"]) != 4:
            self.group_error(prefix, prefix, ["year"], "Year must include 4 numbers")
            return None
        day, month, year = (int(values[p]) for p in DATE_PARTS)
        try:
            return dt.date(year, month, day)
        except (ValueError, OverflowError):  # a number too big for a date
            wrong = ["month"] if not 1 <= month <= 12 else ["day"]
            self.group_error(prefix, prefix, wrong, f"{what} must be a real date")
            return None

    def read_time(self, prefix: str, what: str) -> dt.time | None:
        """The time in the boxes (required), on the 24-hour clock."""
        group = f"{prefix}_time"
        values = self._boxes(prefix, TIME_PARTS)
        missing = [p for p in TIME_PARTS if not values[p]]
        if len(missing) == len(TIME_PARTS):
            self.group_error(group, prefix, list(TIME_PARTS), f"Enter {_lower(what)}")
            return None
        if missing:
            article = "an" if missing[0] == "hour" else "a"
            self.group_error(group, prefix, missing, f"{what} must include {article} {missing[0]}")
            return None
        wrong = [
            p
            for p, top in (("hour", 23), ("minute", 59))
            if not values[p].isdigit() or int(values[p]) > top
        ]
        if wrong:
            self.group_error(
                group,
                prefix,
                wrong,
                f"{what} must be a real time on the 24-hour clock, from 00:00 to 23:59",
            )
            return None
        return dt.time(int(values["hour"]), int(values["minute"]))

    def date_group(
        self, group: str, prefix: str, parts: tuple[str, ...], *, legend: str, hint: str
    ) -> DateGroup:
        form: Any = self
        wrong = self.wrong_boxes.get(group, set())
        error = self.group_errors.get(group, "")
        described = [f"{group}-hint"]
        if error:
            described.append(f"{group}-error")
        return DateGroup(
            id=group,
            legend=legend,
            hint=hint,
            items=[(form[f"{prefix}_{p}"], p in wrong) for p in parts],
            error=error,
            describedby=" ".join(described),
        )


def _lower(text: str) -> str:
    return text[0].lower() + text[1:]


def _risk(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _number(value: str | None) -> int | None:
    return int(value) if value else None


# --- the case lists --------------------------------------------------------------------


class OverdueFilterForm(GovukFormMixin, forms.Form):
    """The overdue page's filters: step, agency, policy, risk."""

    step = _select("Step", "a step")
    agency = _select("Agency", "an agency")
    policy = _select("Policy", "a policy")
    risk = _select("Risk of significant harm", "a risk")

    def __init__(self, *args: Any, choices: FilterChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["step"].choices = _options(choices.steps)
        fields["agency"].choices = _options(choices.agencies)
        fields["policy"].choices = _options(choices.policies)
        fields["risk"].choices = _options(RISK_CHOICES)

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "step": _number(data.get("step")),
            "agency_id": _number(data.get("agency")),
            "policy_id": _number(data.get("policy")),
            "risk": _risk(data.get("risk")),
        }


class BoardCaseFilterForm(DateInputsMixin, GovukFormMixin, forms.Form):
    """The board case list's filters, with the dates the cases were raised between."""

    status = _select("Status", "a status")
    step = _select("Step", "a step")
    agency = _select("Agency", "an agency")
    policy = _select("Policy", "a policy")
    route = _select("Route", "a route")
    category = _select("Category", "a category")
    risk = _select("Risk of significant harm", "a risk")
    raised_from_day = _box("Day", 2)
    raised_from_month = _box("Month", 2)
    raised_from_year = _box("Year", 4)
    raised_to_day = _box("Day", 2)
    raised_to_month = _box("Month", 2)
    raised_to_year = _box("Year", 4)

    def __init__(self, *args: Any, choices: FilterChoices, **kwargs: Any) -> None:
        self.wrong_boxes = {}
        self.group_errors = {}
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["status"].choices = _options(list(CaseStatus.choices))
        fields["step"].choices = _options(choices.steps)
        fields["agency"].choices = _options(choices.agencies)
        fields["policy"].choices = _options(choices.policies)
        fields["route"].choices = _options(choices.routes)
        fields["category"].choices = _options(choices.categories)
        fields["risk"].choices = _options(RISK_CHOICES)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raised_from = self.read_date("raised_from", "The earliest date raised", required=False)
        raised_to = self.read_date("raised_to", "The latest date raised", required=False)
        if raised_from and raised_to and raised_from > raised_to:
            self.group_error(
                "raised_to",
                "raised_to",
                list(DATE_PARTS),
                "The latest date raised must be the same as or after the earliest date raised",
            )
        data["raised_from"] = raised_from
        data["raised_to"] = raised_to
        return data

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "status": data.get("status") or None,
            "step": _number(data.get("step")),
            "agency_id": _number(data.get("agency")),
            "policy_id": _number(data.get("policy")),
            "route": data.get("route") or None,
            "category": data.get("category") or None,
            "risk": _risk(data.get("risk")),
            "raised_from": data.get("raised_from"),
            "raised_to": data.get("raised_to"),
        }

    def date_groups(self) -> list[DateGroup]:
        return [
            self.date_group(
                "raised_from",
                "raised_from",
                DATE_PARTS,
                legend="Earliest date raised",
                hint="For example, 1 4 2026",
            ),
            self.date_group(
                "raised_to",
                "raised_to",
                DATE_PARTS,
                legend="Latest date raised",
                hint="For example, 30 4 2026",
            ),
        ]


# --- the policy timeline preview --------------------------------------------------------


class TimelineForm(DateInputsMixin, GovukFormMixin, forms.Form):
    """When the case is raised (UK time), whose bank holidays count, which route, and whether
    a risk of significant harm is flagged."""

    start_day = _box("Day", 2)
    start_month = _box("Month", 2)
    start_year = _box("Year", 4)
    start_hour = _box("Hour", 2)
    start_minute = _box("Minute", 2)
    nation = forms.ChoiceField(
        label="Whose bank holidays count",
        choices=Nation.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whose bank holidays count",
            "invalid_choice": "Select England, Wales, Scotland or Northern Ireland",
        },
    )
    route = forms.ChoiceField(
        label="Route",
        help_text="A special route has steps of its own.",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select a route",
            "invalid_choice": "Select one of this policy's routes",
        },
    )
    risk = forms.BooleanField(
        label="A risk of significant harm is flagged",
        required=False,
        help_text="Some policies set shorter deadlines then.",
    )

    def __init__(self, *args: Any, policy: PolicySpec, **kwargs: Any) -> None:
        self.wrong_boxes = {}
        self.group_errors = {}
        self.policy = policy
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["route"].choices = [(r.slug, r.name) for r in policy.routes]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = self.read_date("start", "The date the case is raised", required=True)
        time = self.read_time("start", "The time the case is raised")
        data["start"] = self._moment(day, time) if day and time is not None else None
        return data

    def _moment(self, day: dt.date, time: dt.time) -> dt.datetime | None:
        """The UK moment in UTC; an error when the clocks skip it or pass it twice."""
        naive = dt.datetime.combine(day, time)
        first = naive.replace(tzinfo=LONDON, fold=0)
        second = naive.replace(tzinfo=LONDON, fold=1)
        shown = f"{time:%H:%M} on {day.day} {MONTHS[day.month - 1]} {day.year}"
        if first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != naive:
            message = (
                f"There is no {shown} in the UK: the clocks go forward an hour at 01:00 that "
                "night. Enter a time before 01:00 or from 02:00"
            )
        elif first.utcoffset() != second.utcoffset():
            message = (
                f"{shown} happens twice in the UK: the clocks go back an hour at 02:00 that "
                "night. Enter a time before 01:00 or from 02:00"
            )
        else:
            return first.astimezone(UTC)
        self.group_error("start_time", "start", list(TIME_PARTS), message)
        return None

    def date_groups(self) -> list[DateGroup]:
        return [
            self.date_group(
                "start",
                "start",
                DATE_PARTS,
                legend="Date the case is raised",
                hint="For example, 23 12 2026",
            ),
            self.date_group(
                "start_time",
                "start",
                TIME_PARTS,
                legend="Time the case is raised",
                hint="UK time, on the 24-hour clock. For example, 15 00 for 3pm",
            ),
        ]
