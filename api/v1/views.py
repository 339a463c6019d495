"""The v1 endpoints. Like the pages: each gets the case through the selector (a case the
person may not see is a 404), checks the permission (may see but not act: 403), and calls
the same domain service. An action needs If-Match with the ETag the case was read with:
without it 428, with an older one 412; either way nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from api.problems import STALE, problem
from api.v1.serializers import (
    CaseSerializer,
    NothingSerializer,
    RaiseSerializer,
    ReasonSerializer,
    ReassignSerializer,
    RecordSerializer,
    ResolveSerializer,
    StepSerializer,
    case_etag,
)
from escalation.domain import (
    case_agree_resolution,
    case_dispute_resolution,
    case_escalate,
    case_log_read,
    case_raise,
    case_reassign,
    case_resolve,
    case_skip_step,
    case_withdraw,
    step_chase,
    step_record_outcome,
)
from escalation.enums import CaseStatus
from escalation.errors import InvalidInput
from escalation.forms.raising import agencies_user_may_raise_for
from escalation.models import Case, CaseStep
from escalation.queries import case_page as sel
from escalation.queries.cases import case_get_for_user, case_list_for_user, case_steps

if TYPE_CHECKING:
    from django.contrib.auth.models import User

STATUS_FILTER = OpenApiParameter(
    "status", str, enum=[s.value for s in CaseStatus], description="Only cases in this state"
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the case as read, "<reference>-v<version>"',
)


def _me(request: Request) -> User:
    """The person: IsAuthenticated lets no one else this far."""
    return cast("User", request.user)


def _case(request: Request, reference: str) -> Case:
    """The case if this person may see it; Case.DoesNotExist (a 404 problem) otherwise."""
    return case_get_for_user(user=request.user, reference=reference)


def _with_etag(case: Case) -> Response:
    return Response(CaseSerializer(case).data, headers={"ETag": case_etag(case)})


class CaseListView(ListAPIView[Case]):
    """The cases you may see, newest first; POST raises one."""

    serializer_class = CaseSerializer

    def get_queryset(self) -> QuerySet[Case]:
        cases = case_list_for_user(user=self.request.user)
        wanted = self.request.query_params.get("status")
        if wanted is not None:
            if wanted not in CaseStatus.values:
                raise serializers.ValidationError(
                    {"status": [f"Choose one of: {', '.join(CaseStatus.values)}"]}
                )
            cases = cases.filter(status=wanted)
        return cases

    @extend_schema(parameters=[STATUS_FILTER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=RaiseSerializer, responses={201: CaseSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Raise a challenge, as the raise pages do (escalation.domain.case_raise): 201 with
        the case, its ETag and its address. Only people who may raise on the pages may
        (403 otherwise); bad answers are 400 with the pages' messages by field, and nothing
        is saved."""
        agencies = agencies_user_may_raise_for(user=request.user)
        if not agencies:
            return problem(403, "Your roles do not let you raise a challenge.")
        serializer = RaiseSerializer(data=request.data, context={"agencies": agencies})
        serializer.is_valid(raise_exception=True)
        case = case_raise(by=_me(request), **serializer.validated_data)
        return Response(
            CaseSerializer(case).data,
            status=201,
            headers={
                "ETag": case_etag(case),
                "Location": request.build_absolute_uri(reverse("api:case", args=[case.reference])),
            },
        )


class CaseDetailView(GenericAPIView[Case]):
    """The case; its ETag is the version to give in If-Match to act on it. The read is
    logged, as a read of the case page is."""

    serializer_class = CaseSerializer

    def get(self, request: Request, reference: str) -> Response:
        case = _case(request, reference)
        case_log_read(case=case, user=_me(request), what="API case")
        return _with_etag(case)


class CaseStepsView(ListAPIView[CaseStep]):
    """The case's steps, in order."""

    serializer_class = StepSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[CaseStep]:
        return case_steps(case=_case(self.request, self.kwargs["reference"]))


class CaseActionView(GenericAPIView[Case]):
    """One action on the case: POST with If-Match; 200 with the case and its new ETag."""

    perm: ClassVar[str] = ""
    serializer_class: Any = ReasonSerializer

    def allowed(self, request: Request, case: Case) -> bool:
        return bool(request.user.has_perm(self.perm, case))

    def perform(self, request: Request, case: Case, data: dict[str, Any], version: int) -> Case:
        raise NotImplementedError

    @extend_schema(parameters=[IF_MATCH], responses={200: CaseSerializer})
    def post(self, request: Request, reference: str) -> Response:
        case = _case(request, reference)
        given = request.headers.get("If-Match", "").strip()
        stale = bool(given) and given.removeprefix("W/") != case_etag(case)
        if not self.allowed(request, case):
            # As on the pages: read before the case changed (and so stopped being theirs to
            # act on), it is "the case has changed"; otherwise they may not.
            if stale:
                return problem(412, STALE, headers={"ETag": case_etag(case)})
            return problem(403, "You may not do this to this case now.")
        if not given:
            return problem(
                428,
                "Give If-Match with the ETag of the case as you read it.",
                headers={"ETag": case_etag(case)},
            )
        if stale:
            return problem(412, STALE, headers={"ETag": case_etag(case)})
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changed = self.perform(request, case, dict(serializer.validated_data), case.version)
        return _with_etag(changed)


class ServiceActionView(CaseActionView):
    """An action whose serializer's fields are its domain service's own arguments: the view
    names the permission, the serializer and the service."""

    service: ClassVar[Callable[..., Case]]

    def perform(self, request: Request, case: Case, data: dict[str, Any], version: int) -> Case:
        return type(self).service(case=case, by=_me(request), expected_version=version, **data)


class EscalateView(ServiceActionView):
    """The current step did not resolve the disagreement: on to the next step."""

    perm = "escalation.escalate_case"
    service = case_escalate


class SkipView(ServiceActionView):
    """Skip the current step: a risk of significant harm calls for senior people now."""

    perm = "escalation.skip_step"
    service = case_skip_step


class WithdrawView(ServiceActionView):
    """Withdraw the challenge (the raiser, or a manager of the challenging agency)."""

    perm = "escalation.withdraw_case"
    service = case_withdraw


class DisputeView(ServiceActionView):
    """The raiser's side disputes the proposed resolution: the case escalates."""

    perm = "escalation.agree_for_raiser"
    service = case_dispute_resolution


class ChaseView(ServiceActionView):
    """Chase the overdue current step."""

    perm = "escalation.chase_step"
    service = step_chase

    def allowed(self, request: Request, case: Case) -> bool:
        return case.current_step is not None and super().allowed(request, case)


class AgreeView(ServiceActionView):
    """The raiser's side agrees to the resolution the other side proposed."""

    perm = "escalation.agree_for_raiser"
    serializer_class = NothingSerializer
    service = case_agree_resolution


class ResolveView(ServiceActionView):
    """Resolve the case at its current step with what should be learned: at once for the
    raiser's side, otherwise sent to the raiser's side to agree."""

    perm = "escalation.resolve_case"
    serializer_class = ResolveSerializer
    service = case_resolve


class RecordView(ServiceActionView):
    """Write the current step's record (the policy's fields, by slug)."""

    perm = "escalation.record_outcome"
    serializer_class = RecordSerializer
    service = step_record_outcome


class ReassignView(CaseActionView):
    """Name the person who acts for your side at the current step."""

    perm = "escalation.reassign_case"
    serializer_class = ReassignSerializer

    def allowed(self, request: Request, case: Case) -> bool:
        return bool(sel.reassign_sides(case=case, user=request.user)) and super().allowed(
            request, case
        )

    def perform(self, request: Request, case: Case, data: dict[str, Any], version: int) -> Case:
        side = data["side"]
        if side not in {s for s, _ in sel.reassign_sides(case=case, user=request.user)}:
            raise InvalidInput(
                "You may name the person who acts for your own side only", field="side"
            )
        person = sel.reassign_person(case=case, side=side, pk=data["to"])
        if person is None:
            raise InvalidInput("Select a person of that side's agency", field="to")
        return case_reassign(
            case=case,
            by=_me(request),
            side=side,
            to=person,
            reason=data["reason"],
            expected_version=version,
        )
