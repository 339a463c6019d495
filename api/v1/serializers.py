"""What the API shows of a case and its steps, and what each action takes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rest_framework import serializers
from rest_framework.fields import SkipField

from api.v1.raising import raise_arguments
from escalation.domain import checks
from escalation.enums import LearningTheme
from escalation.forms import raising as rf
from escalation.models import Case, CaseStep


class CurrentStepSerializer(serializers.ModelSerializer[CaseStep]):
    class Meta:
        model = CaseStep
        fields = ["number", "name", "started_at", "due_at"]


class CaseSerializer(serializers.ModelSerializer[Case]):
    partnership = serializers.CharField(source="partnership.name")
    challenging_agency = serializers.CharField(source="challenging_agency.name")
    responding_agency = serializers.CharField(source="responding_agency.name")
    current_step = CurrentStepSerializer(allow_null=True)
    etag = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "reference",
            "status",
            "version",
            "etag",
            "partnership",
            "challenging_agency",
            "responding_agency",
            "route",
            "category",
            "risk_of_significant_harm",
            "raised_at",
            "closed_at",
            "current_step",
        ]

    def get_etag(self, case: Case) -> str:
        return case_etag(case)


class StepSerializer(serializers.ModelSerializer[CaseStep]):
    class Meta:
        model = CaseStep
        fields = [
            "number",
            "name",
            "is_target",
            "started_at",
            "due_at",
            "recorded_at",
            "meeting_held",
            "record",
            "completed_at",
            "outcome",
            "outcome_reason",
        ]


def case_etag(case: Case) -> str:
    return f'"{case.reference}-v{case.version}"'


class ReasonSerializer(serializers.Serializer[Any]):
    """The service says what a reason must be (an empty one is refused with its message)."""

    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)


class NothingSerializer(serializers.Serializer[Any]):
    """Nothing to give: the If-Match header names the version agreed to."""


class RecordSerializer(serializers.Serializer[Any]):
    record = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=20_000),
        help_text="The step's record fields (the policy's slugs) to their text.",
    )
    meeting_held = serializers.BooleanField(default=False)


class ResolveSerializer(serializers.Serializer[Any]):
    learning = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20_000
    )
    themes = serializers.ListField(
        child=serializers.ChoiceField(choices=LearningTheme.choices), required=False, default=list
    )
    debrief_recommended = serializers.BooleanField(default=False)
    case_review_recommended = serializers.BooleanField(default=False)


class ReassignSerializer(serializers.Serializer[Any]):
    side = serializers.ChoiceField(choices=["challenging", "responding"])
    to = serializers.IntegerField(help_text="The id of a person of that side's agency.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)


# --- raising a case ---------------------------------------------------------------------------


def _required(message: object) -> dict[str, Any]:
    """A missing answer refused in the raise page's words."""
    return {"required": str(message), "null": str(message)}


class RaiseSerializer(serializers.Serializer[Any]):
    """What escalation.domain.case_raise takes, as the raise pages ask it: agencies by name
    (within your partnership), the policy's route, category and questions by slug. Checked
    by the raise pages' own forms, every field at once (`validate`), then again by case_raise.
    """

    policy = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text="The slug of your partnership's adopted policy, if you want it checked: the "
        "route, category and questions are that policy's.",
    )
    challenging_agency = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="The name of the agency you raise for; needed only if you may raise for more "
        "than one.",
    )
    responding_agency = serializers.CharField(
        allow_blank=True,
        max_length=200,
        help_text="The name of the agency you disagree with: another agency of your partnership.",
        error_messages=_required(
            rf.RespondingAgencyForm.base_fields["responding_agency"].error_messages["required"]
        ),
    )
    responding_professional = serializers.CharField(
        allow_blank=True,
        max_length=20_000,
        help_text="Their name and role (never the name of the child or adult).",
        error_messages=_required(checks.ENTER["responding_professional"]),
    )
    responding_person = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The id of the professional's Resolve account, if they have one: they are "
        "told straight away.",
    )
    subject_kind = serializers.CharField(
        max_length=50,
        help_text="child, young_person or adult, as the policy allows.",
        error_messages=_required(
            rf.SubjectForm.base_fields["subject_kind"].error_messages["required"]
        ),
    )
    subject_initials = serializers.CharField(
        allow_blank=True,
        max_length=100,
        error_messages=_required(
            rf.SubjectForm.base_fields["subject_initials"].error_messages["required"]
        ),
    )
    subject_age_band = serializers.CharField(
        max_length=50,
        help_text="One of the age bands of the kind of person.",
        error_messages=_required(
            rf.SubjectForm.base_fields["subject_age_band"].error_messages["required"]
        ),
    )
    challenging_record_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=1000
    )
    responding_record_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=1000
    )
    category = serializers.CharField(
        max_length=100,
        help_text="The slug of one of the policy's categories.",
        error_messages=_required(
            rf.CategoryForm.base_fields["category"].error_messages["required"]
        ),
    )
    route = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text="The slug of one of the policy's routes; its usual route if not given.",
    )
    route_details = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text="The answers to the route's own questions, by the question's slug: an "
        "option's slug, a list of them, or text.",
    )
    disagreement = serializers.CharField(
        allow_blank=True, max_length=100_000, error_messages=_required(checks.ENTER["disagreement"])
    )
    impact = serializers.CharField(
        allow_blank=True, max_length=100_000, error_messages=_required(checks.ENTER["impact"])
    )
    risk_of_significant_harm = serializers.BooleanField(
        error_messages=_required(rf.RiskForm.base_fields["risk"].error_messages["required"])
    )
    due_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="An earlier due moment for the first step: in the future, and no later than "
        "the policy's.",
    )

    # What a field that is missing or malformed counts as, for the forms' checks of the rest.
    BLANK: ClassVar[dict[str, Any]] = {
        "responding_person": None,
        "route_details": {},
        "risk_of_significant_harm": False,
        "due_at": None,
    }

    def to_internal_value(self, data: Any) -> Any:
        """As DRF does; when a field is missing or of the wrong type, the forms still check
        the others, so every refusal is listed at once."""
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not isinstance(data, Mapping) or not isinstance(error.detail, dict):
                raise
            shaped = error.detail
        attrs: dict[str, Any] = {}
        for name, field in self.fields.items():
            try:
                attrs[name] = field.run_validation(field.get_value(data))
            except (serializers.ValidationError, SkipField):
                attrs[name] = self.BLANK.get(name, "")
        _, errors = raise_arguments(attrs, agencies=self.context["agencies"])
        found = {**{k: v for k, v in errors.items() if k not in shaped}, **shaped}
        order = list(self.fields)

        def place(field: str) -> int:  # route_details.<question> with route_details
            head = field.split(".")[0]
            return order.index(head) if head in order else len(order)

        raise serializers.ValidationError(dict(sorted(found.items(), key=lambda f: place(f[0]))))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The raise pages' forms over the answers, each with its page's context; every
        refusal at once, by field. The answers as case_raise's arguments."""
        found, errors = raise_arguments(attrs, agencies=self.context["agencies"])
        if errors:
            raise serializers.ValidationError(errors)
        return found
