"""Every Django form renders as GOV.UK Design System markup (templates/govuk/)."""

from __future__ import annotations

from typing import Any

from django.forms import BoundField, Widget
from django.forms.renderers import TemplatesSetting

# The GOV.UK class of each kind of widget (its input_type, else its class name in lower case).
WIDGET_CLASSES = {
    "text": "govuk-input",
    "email": "govuk-input",
    "tel": "govuk-input",
    "number": "govuk-input govuk-input--width-5",
    "password": "govuk-input govuk-input--width-20",
    "date": "govuk-input govuk-input--width-10",
    "datetime-local": "govuk-input govuk-input--width-20",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
}
# The modifier each GOV.UK control takes when its field has an error (radios and checkboxes
# take none: their form group's govuk-form-group--error is enough).
ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
}


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/form.html"
    field_template_name = "govuk/field.html"


def widget_kind(widget: Widget) -> str:
    return getattr(widget, "input_type", None) or widget.__class__.__name__.lower()


class GovukBoundField(BoundField):
    """A field that renders its widget with the GOV.UK class, the error class when the field
    has an error, and aria-describedby naming its hint and error message (the ids
    templates/govuk/field.html gives them).

    All of it is worked out when the widget is rendered, so that making a form never
    validates it: a form may set its choices or add fields after its __init__ has run."""

    @property
    def aria_describedby(self) -> str | None:
        if self.field.widget.attrs.get("aria-describedby") or not self.auto_id or self.is_hidden:
            return None
        described = []
        if self.help_text:
            described.append(f"{self.auto_id}-hint")
        if self.errors:
            described.append(f"{self.auto_id}-error")
        return " ".join(described) or None

    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: Widget | None = None
    ) -> dict[str, Any]:
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        classes = str(
            attrs.get("class")
            or widget.attrs.get("class")
            or WIDGET_CLASSES.get(widget_kind(widget), "")
        ).split()
        if self.errors:
            classes += [ERROR_CLASSES[c] for c in classes if c in ERROR_CLASSES]
        if classes:
            attrs["class"] = " ".join(dict.fromkeys(classes))
        return attrs


class GovukFormMixin:
    """Render each field through GovukBoundField: its GOV.UK class, its error class, and
    aria-describedby tying it to its hint and error message."""

    bound_field_class: type[BoundField] | None = GovukBoundField
