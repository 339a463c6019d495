"""Your notifications, newest first: the inbox page's read (notifications.selectors), paged
as the case list is. Everyone's own: a person sees only the notifications sent to them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from notifications.models import Notification
from notifications.selectors import inbox_for_user


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    case = serializers.CharField(source="case.reference", help_text="The case's reference.")
    url = serializers.CharField(help_text="The page it links to, on this site.")

    class Meta:
        model = Notification
        fields = ["id", "event", "case", "title", "body", "url", "created_at", "read_at"]


class UnreadQuerySerializer(serializers.Serializer[Any]):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None)


UNREAD_FILTER = OpenApiParameter(
    "unread",
    bool,
    description="true: only the unread ones; false: only those read (default: all)",
)


class NotificationListView(ListAPIView[Notification]):
    """Your notifications, newest first; read_at is null for an unread one."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        query = UnreadQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return inbox_for_user(
            user=self.request.user, unread=query.validated_data["unread"]
        ).select_related("case")

    @extend_schema(parameters=[UNREAD_FILTER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
