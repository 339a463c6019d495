"""The question page, configured: what a page asks (its form), when it applies, which answers
it keeps in the draft and how, and how check-your-answers shows them. Every question page of
the raising is one QuestionPage (escalation.pages.raising.pages, .special); one view shows them
all (escalation.pages.raising.views.show_page)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from escalation.forms import raising as rf
from escalation.pages.raising.drafts import Raising

Rows = list[tuple[str, str]]


def tidy(value: Any) -> Any:
    """What the draft keeps of a cleaned value: text without surrounding spaces, a list for
    several choices (the session holds JSON)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list | tuple):
        return list(value)
    return value


def same(value: Any) -> Any:
    return value


def always(r: Raising) -> bool:
    return True


def no_options(r: Raising) -> dict[str, Any]:
    return {}


def no_context(r: Raising, form: Any) -> dict[str, Any]:
    return {}


def nowhere(r: Raising, data: dict[str, Any]) -> str | None:
    return None


def nothing_missing(r: Raising) -> str | None:
    return None


@dataclass(frozen=True)
class Answer:
    """One answer a page keeps in the draft."""

    name: str  # its key in the draft
    field: str = ""  # the form's field for it, when not named `name`
    keep: Callable[[Any], Any] = tidy  # the form's cleaned value -> what the draft keeps
    show: Callable[[Any], Any] = same  # what the draft keeps -> the form's initial value
    # The form's initial value before there is an answer (a callable takes the raising).
    default: Any = ""
    clears: tuple[str, ...] = ()  # answers that no longer hold once this one changes

    @property
    def field_name(self) -> str:
        return self.field or self.name


@dataclass(frozen=True)
class QuestionPage:
    """A question page, as its configuration. Its address is raise/<draft>/<key>/."""

    key: str
    form_class: type[rf.RaiseForm]
    answers: tuple[Answer, ...]
    rows: Callable[[Raising], Rows]  # its lines on check your answers
    template: str = "escalation/raise/choose.html"
    choice_field: str = ""  # the radios rendered with hints by _choices.html
    options: Callable[[Raising], dict[str, Any]] = no_options  # the form's keywords
    context: Callable[[Raising, Any], dict[str, Any]] = no_context  # more for the template
    applies: Callable[[Raising], bool] = always
    # An address to go to first, when an answer the page needs is missing.
    missing: Callable[[Raising], str | None] = nothing_missing
    # An address to go to instead of keeping the answer (the answer means "not here").
    elsewhere: Callable[[Raising, dict[str, Any]], str | None] = nowhere

    def kept(self, r: Raising) -> dict[str, Any]:
        """Where the page keeps its answers in the draft."""
        return r.answers

    def answered(self, r: Raising) -> bool:
        return self.answers[0].name in self.kept(r)

    def initial(self, r: Raising) -> dict[str, Any]:
        kept = self.kept(r)
        initial: dict[str, Any] = {}
        for answer in self.answers:
            if answer.name in kept:
                initial[answer.field_name] = answer.show(kept[answer.name])
            else:
                default = answer.default
                initial[answer.field_name] = default(r) if callable(default) else default
        return initial

    def form(self, r: Raising, data: Mapping[str, Any] | None = None) -> rf.RaiseForm:
        return self.form_class(data, initial=self.initial(r), **self.options(r))

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        """Keep the answers; return an address to go to instead of the next page."""
        target = self.elsewhere(r, data)
        if target is not None:
            return target
        kept = self.kept(r)
        for answer in self.answers:
            value = answer.keep(data[answer.field_name])
            if kept.get(answer.name) != value:
                for other in answer.clears:
                    r.answers.pop(other, None)
            kept[answer.name] = value
        return None

    def url(self, r: Raising) -> str:
        return r.url("raise_page", self.key)
