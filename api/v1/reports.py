"""The board's report figures: the report page's figures (reports.report.build_report over
reports/selectors.py), for the page's filters given in the query string and checked by the
page's own form. For board staff and strategic safeguarding managers: anyone else gets 403,
as on the page, and so does a partnership that is not theirs.

The values are the exports' (Figure.exported_rows): counts from 1 to 4 read "fewer than 5",
and a rate or working-day figure resting on so few is withheld, saying why. What the API
gives goes into other people's scripts and files, as an export does."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Partnership
from api.problems import problem
from escalation.enums import CaseStatus, LearningTheme
from reports.forms import ReportFilterForm
from reports.report import Figure, Report, build_report
from reports.selectors import report_filter_choices, report_partnerships_for_user

NOT_A_READER = "Reports are for board staff and strategic safeguarding managers."
NOT_THEIRS = "You cannot read that partnership's reports."


@extend_schema_field(
    {"oneOf": [{"type": "number"}, {"type": "string"}]},
)
class CellField(serializers.Field):
    """A figure's value as an export gives it: a number, or words ("fewer than 5",
    "withheld: ...", "none", "none resolved")."""

    def to_representation(self, value: Any) -> Any:
        return value


class ReportRowSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    values = serializers.ListField(child=CellField(), help_text="One per column after the first.")


class ReportFigureSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    columns = serializers.ListField(
        child=serializers.CharField(), help_text="The first names the rows' labels."
    )
    rows = ReportRowSerializer(many=True)


class ReportFilterWordsSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    value = serializers.CharField()


class ReportStatementSerializer(serializers.Serializer[Any]):
    recorded_on = serializers.DateField()
    themes = serializers.ListField(child=serializers.ChoiceField(choices=LearningTheme.choices))
    text = serializers.CharField()


class ReportPartnershipSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class ReportSerializer(serializers.Serializer[Any]):
    partnership = ReportPartnershipSerializer()
    generated_at = serializers.DateTimeField()
    filters = ReportFilterWordsSerializer(many=True, help_text="The filters in words.")
    figures = ReportFigureSerializer(many=True)
    statements = ReportStatementSerializer(
        many=True,
        allow_null=True,
        help_text="The learning statements, without their cases; null when fewer than 5.",
    )
    statements_notes = serializers.ListField(child=serializers.CharField())


def _figure(figure: Figure) -> dict[str, Any]:
    return {
        "key": figure.key,
        "title": figure.title,
        "summary": figure.summary,
        "columns": figure.columns,
        "rows": [{"label": label, "values": values} for label, values in figure.exported_rows()],
    }


def _report(report: Report) -> dict[str, Any]:
    statements = report.exported_statements
    return {
        "partnership": report.partnership,
        "generated_at": report.generated_at,
        "filters": [{"name": name, "value": value} for name, value in report.filter_summary],
        "figures": [_figure(f) for f in report.figures],
        "statements": None
        if statements is None
        else [
            {"recorded_on": s.recorded_on, "themes": [t.value for t in s.themes], "text": s.text}
            for s in statements
        ],
        "statements_notes": report.exported_statements_notes,
    }


def _partnership(request: Request, code: str | None) -> Partnership | Response:
    """The partnership asked for (the person's first when none is named), or the page's 403."""
    mine = list(report_partnerships_for_user(user=request.user))
    if not mine:
        return problem(403, NOT_A_READER)
    if not code:
        return mine[0]
    for partnership in mine:
        if partnership.code == code:
            return partnership
    return problem(403, NOT_THEIRS)


REPORT_PARAMETERS = [
    OpenApiParameter(
        "partnership", str, description="The partnership's code (default: your first)"
    ),
    OpenApiParameter(
        "raised_from", OpenApiTypes.DATE, description="Cases raised on or after this day"
    ),
    OpenApiParameter(
        "raised_to", OpenApiTypes.DATE, description="Cases raised on or before this day"
    ),
    OpenApiParameter("policy", str, description="A policy's slug"),
    OpenApiParameter("agency", int, description="An agency's id, on either side"),
    OpenApiParameter(
        "other_agency", int, description="With agency: the disagreements between the two"
    ),
    OpenApiParameter("category", str, description="A category's slug"),
    OpenApiParameter("route", str, description="A route's slug"),
    OpenApiParameter("step_reached", int, description="The furthest step the case reached"),
    OpenApiParameter("risk", str, enum=["yes", "no"], description="Risk of significant harm"),
    OpenApiParameter("outcome", str, enum=list(CaseStatus.values), description="The case's state"),
    OpenApiParameter(
        "theme",
        str,
        enum=list(LearningTheme.values),
        description="Lists only the learning statements naming this theme",
    ),
]


class ReportView(GenericAPIView[Any]):
    """The board report's figures for the filters, as the report page shows them, with the
    exports' small-number rule."""

    serializer_class = ReportSerializer

    @extend_schema(parameters=REPORT_PARAMETERS)
    def get(self, request: Request) -> Response:
        partnership = _partnership(request, request.query_params.get("partnership"))
        if isinstance(partnership, Response):
            return partnership
        choices = report_filter_choices(partnership=partnership)
        form = ReportFilterForm(request.query_params, choices=choices)
        if not form.is_valid():
            errors = {
                "detail" if field == "__all__" else field: [str(m) for m in messages]
                for field, messages in form.errors.items()
            }
            raise serializers.ValidationError(errors)
        report = build_report(partnership=partnership, filters=form.to_filters(), choices=choices)
        return Response(ReportSerializer(_report(report)).data)
