"""Every Django form renders as GOV.UK Design System markup (templates/govuk/)."""

from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/form.html"
    field_template_name = "govuk/field.html"


class GovukFormMixin:
    """Give each widget its GOV.UK class and tie it to its hint and error message."""

    classes = {
        "text": "govuk-input",
        "email": "govuk-input",
        "number": "govuk-input govuk-input--width-5",
        "password": "govuk-input govuk-input--width-20",
        "date": "govuk-input govuk-input--width-10",
        "datetime-local": "govuk-input govuk-input--width-20",
        "textarea": "govuk-textarea",
        "select": "govuk-select",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            kind = getattr(widget, "input_type", None) or widget.__class__.__name__.lower()
            if kind in self.classes:
                widget.attrs.setdefault("class", self.classes[kind])
            described = []
            if field.help_text:
                described.append(f"id_{name}-hint")
            if self.is_bound and name in self.errors:  # type: ignore[attr-defined]
                described.append(f"id_{name}-error")
            if described and kind not in ("radio", "checkbox"):
                widget.attrs["aria-describedby"] = " ".join(described)
