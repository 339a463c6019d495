"""The policies a person may read, one policy's steps and deadline rules, and its timeline
preview: the same reads as the policy pages (escalation.queries.oversight). Anyone who works
in a partnership may read every preset and their partnership's adopted and own policies, so
these are not case data; a person of no partnership gets 403, a policy they may not read 404,
as on the pages. The preview is the pages' (and `manage.py policy_timeline`'s) computation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.calendars import LONDON, NATIONS
from api.problems import problem
from escalation.deadlines import DeadlineRule, parse_moment
from escalation.models import PolicyVersion
from escalation.policy import PolicySpec, RouteSpec, StepSpec
from escalation.queries.oversight import (
    TimelineInputError,
    adopted_policy_ids,
    home_nation,
    member_partnership_ids,
    policy_timeline,
    policy_version_for_user,
    policy_versions_for_user,
    steps_in_words,
    timeline_nation,
    timeline_route,
)
from escalation.queries.policies import policy_spec, rule_in_words

NOT_A_MEMBER = "Only people who work in a partnership can read its policies."
NO_SUCH_POLICY = "No such policy."


# --- what is shown ---------------------------------------------------------------------


class PolicyDeadlineSerializer(serializers.Serializer[DeadlineRule]):
    kind = serializers.ChoiceField(
        choices=["working_days", "same_working_day", "clock_hours", "none"]
    )
    amount = serializers.IntegerField(help_text="Working days or clock hours, as kind says.")
    counted_from = serializers.ChoiceField(choices=["step_start", "raised"])
    in_words = serializers.SerializerMethodField()

    def get_in_words(self, rule: DeadlineRule) -> str:
        return rule_in_words(rule, wording="sentence")


class PolicyStepSummarySerializer(serializers.Serializer[StepSpec]):
    number = serializers.IntegerField()
    name = serializers.CharField()
    target = serializers.BooleanField(help_text="Step 0: a requirement that never delays step 1.")


class PolicyRouteSummarySerializer(serializers.Serializer[RouteSpec]):
    slug = serializers.CharField()
    name = serializers.CharField()
    steps = PolicyStepSummarySerializer(many=True)


class PolicyActorSerializer(serializers.Serializer[Any]):
    side = serializers.CharField(help_text="challenging, responding or partnership")
    role = serializers.CharField()
    title = serializers.CharField(help_text="The job titles in words, where the policy names them.")


class PolicyStepSerializer(PolicyStepSummarySerializer):
    description = serializers.CharField()
    actors = PolicyActorSerializer(many=True)
    deadline = PolicyDeadlineSerializer()
    deadline_when_risk = PolicyDeadlineSerializer(
        help_text="The rule when a risk of significant harm is flagged (often the same)."
    )
    may_skip_when_risk = serializers.BooleanField()
    meeting_required = serializers.BooleanField()


class PolicyRouteSerializer(PolicyRouteSummarySerializer):
    description = serializers.CharField()
    who_may_raise = serializers.CharField()
    steps = PolicyStepSerializer(many=True)


class PolicyChoiceSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()


class PolicySummarySerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField(help_text="The newest published version's number.")
    audience = serializers.CharField(help_text="children or adults")
    owner = serializers.CharField(
        allow_null=True, help_text="The partnership whose own policy it is; null for a preset."
    )
    adopted = serializers.BooleanField(help_text="Your partnership runs it.")
    routes = PolicyRouteSummarySerializer(many=True)


class PolicySerializer(PolicySummarySerializer):
    source = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.source
    categories = PolicyChoiceSerializer(many=True)
    not_for_this_procedure = PolicyChoiceSerializer(many=True)
    routes = PolicyRouteSerializer(many=True)


def _policy(version: PolicyVersion, spec: PolicySpec, adopted: set[int]) -> dict[str, Any]:
    owner = version.policy.owner
    return {
        "slug": version.policy.slug,
        "name": spec.name,
        "version": version.number,
        "audience": spec.audience,
        "owner": owner.name if owner else None,
        "adopted": version.policy_id in adopted,
        "source": spec.source,
        "categories": spec.categories,
        "not_for_this_procedure": spec.not_for_this_procedure,
    }


def _summary(version: PolicyVersion, adopted: set[int]) -> dict[str, Any]:
    spec = policy_spec(version)
    return {**_policy(version, spec, adopted), "routes": spec.routes}


def _detail(version: PolicyVersion, adopted: set[int]) -> dict[str, Any]:
    spec = policy_spec(version)
    routes = []
    for route in spec.routes:
        steps = []
        for words in steps_in_words(route):
            step = words.spec
            steps.append(
                {
                    "number": step.number,
                    "name": step.name,
                    "target": step.target,
                    "description": step.description,
                    "actors": [
                        {"side": side, "role": role, "title": actor.title}
                        for (side, role), actor in zip(
                            step.actors.items(), words.actors, strict=True
                        )
                    ],
                    "deadline": step.deadline,
                    "deadline_when_risk": step.deadline_when_risk,
                    "may_skip_when_risk": step.may_skip_when_risk,
                    "meeting_required": step.meeting_required,
                }
            )
        routes.append(
            {
                "slug": route.slug,
                "name": route.name,
                "description": route.description,
                "who_may_raise": route.who_may_raise,
                "steps": steps,
            }
        )
    return {**_policy(version, spec, adopted), "routes": routes}


def _readable(request: Request, slug: str) -> PolicyVersion | Response:
    """The newest published version the person may read, or the refusal the page gives."""
    if not member_partnership_ids(user=request.user):
        return problem(403, NOT_A_MEMBER)
    try:
        return policy_version_for_user(user=request.user, slug=slug)
    except PolicyVersion.DoesNotExist:
        return problem(404, NO_SUCH_POLICY)


# --- the endpoints -----------------------------------------------------------------------


class PolicyListView(GenericAPIView[Any]):
    """The policies you may read: every preset, and your partnership's adopted and own
    policies (adopted: your partnership runs it), each with its routes' steps."""

    serializer_class = PolicySummarySerializer
    pagination_class = None

    @extend_schema(responses={200: PolicySummarySerializer(many=True)})
    def get(self, request: Request) -> Response:
        if not member_partnership_ids(user=request.user):
            return problem(403, NOT_A_MEMBER)
        adopted = adopted_policy_ids(user=request.user)
        versions = policy_versions_for_user(user=request.user)
        return Response(
            PolicySummarySerializer([_summary(v, adopted) for v in versions], many=True).data
        )


class PolicyDetailView(GenericAPIView[Any]):
    """The policy's newest published version: its routes, and each step's actors and
    deadline rules (in working days, clock hours or the same working day), as the policy
    page shows them."""

    serializer_class = PolicySerializer

    def get(self, request: Request, slug: str) -> Response:
        version = _readable(request, slug)
        if isinstance(version, Response):
            return version
        adopted = adopted_policy_ids(user=request.user)
        return Response(PolicySerializer(_detail(version, adopted)).data)


class TimelineQuerySerializer(serializers.Serializer[Any]):
    """The preview's query; each message is the one the timeline command gives."""

    nation = serializers.CharField(required=False)
    start = serializers.CharField(required=False)
    route = serializers.CharField(required=False)
    risk = serializers.BooleanField(required=False, default=False)

    def validate_nation(self, value: str) -> str:
        try:
            return timeline_nation(value)
        except TimelineInputError as error:
            raise serializers.ValidationError(error.message) from None

    def validate_start(self, value: str) -> dt.datetime:
        try:
            return parse_moment(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate_route(self, value: str) -> str:
        try:
            return timeline_route(self.context["policy"], value).slug
        except TimelineInputError as error:
            raise serializers.ValidationError(error.message) from None


class TimelineEntrySerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    name = serializers.CharField()
    starts = serializers.DateTimeField(
        allow_null=True, help_text="null: it waits on a step that is never due."
    )
    due = serializers.DateTimeField(allow_null=True, help_text="null: no deadline.")
    explanation = serializers.CharField()


class TimelineRouteSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()


class TimelineSerializer(serializers.Serializer[Any]):
    policy = serializers.CharField()
    version = serializers.IntegerField()
    route = TimelineRouteSerializer()
    nation = serializers.ChoiceField(choices=list(NATIONS))
    nation_name = serializers.CharField()
    risk = serializers.BooleanField()
    start = serializers.DateTimeField()
    steps = TimelineEntrySerializer(many=True)


TIMELINE_PARAMETERS = [
    OpenApiParameter(
        "nation",
        str,
        enum=list(NATIONS),
        description="Whose bank holidays count (default: your partnership's nation)",
    ),
    OpenApiParameter(
        "start",
        str,
        description=(
            "When the case is raised, ISO 8601 (2026-12-23T15:00, or 2026-12-23 for midnight); "
            "without an offset, UK time (default: now, on the hour)"
        ),
    ),
    OpenApiParameter("route", str, description="The route's slug (default: the policy's first)"),
    OpenApiParameter(
        "risk", bool, description="A risk of significant harm is flagged (default: false)"
    ),
]


class PolicyTimelineView(GenericAPIView[Any]):
    """What falls due when, if every step of a route runs to its deadline: the case raised
    at `start`, the nation's bank holidays counted (no closure days), as the timeline
    preview page computes it."""

    serializer_class = TimelineSerializer

    @extend_schema(parameters=TIMELINE_PARAMETERS)
    def get(self, request: Request, slug: str) -> Response:
        version = _readable(request, slug)
        if isinstance(version, Response):
            return version
        spec = policy_spec(version)
        query = TimelineQuerySerializer(data=request.query_params, context={"policy": spec})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        # The page's defaults: now on the hour, the person's own nation, the first route.
        now = timezone.localtime(timezone.now(), LONDON).replace(minute=0, second=0, microsecond=0)
        preview = policy_timeline(
            version=version,
            route=data.get("route", spec.standard_route.slug),
            nation=data.get("nation") or home_nation(user=request.user) or "england",
            start=data.get("start", now),
            risk=data["risk"],
        )
        return Response(
            TimelineSerializer(
                {
                    "policy": version.policy.slug,
                    "version": version.number,
                    "route": preview.route,
                    "nation": preview.nation,
                    "nation_name": preview.nation_name,
                    "risk": preview.risk,
                    "start": preview.start,
                    "steps": preview.entries,
                }
            ).data
        )
