"""What the API shows of a case and its steps, and what each action takes."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from escalation.enums import LearningTheme
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
