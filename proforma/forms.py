"""Forms of the pro forma pages (GOV.UK markup through config.forms)."""

from __future__ import annotations

from typing import Any

from django import forms

from config.forms import GovukFormMixin

WHOLE = "whole"


class ProduceForm(GovukFormMixin, forms.Form):
    """Which part of the record to produce: one section (at once) or the whole (a job)."""

    part = forms.ChoiceField(
        label="What to produce",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a section or the whole record"},
    )

    def __init__(self, *args: Any, sections: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(number), title) for number, title in sections]
        choices.append((WHOLE, "The whole record (every section)"))
        part = self.fields["part"]
        assert isinstance(part, forms.ChoiceField)
        part.choices = choices

    @property
    def section(self) -> int | None:
        part = self.cleaned_data["part"]
        return None if part == WHOLE else int(part)


class CheckForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label="Upload the PDF you received",
        help_text="Resolve compares the file, byte for byte, with the copies it kept.",
        error_messages={"required": "Select a PDF file"},
    )
