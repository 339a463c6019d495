"""The REST API: its OpenAPI schema and docs, and the versioned endpoints under v1/."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.v1 import notifications, policies, reports, views

app_name = "api"

ACTIONS = {
    "escalate": views.EscalateView,
    "skip": views.SkipView,
    "resolve": views.ResolveView,
    "withdraw": views.WithdrawView,
    "record": views.RecordView,
    "agree": views.AgreeView,
    "dispute": views.DisputeView,
    "chase": views.ChaseView,
    "reassign": views.ReassignView,
}

urlpatterns = [
    # Both are for signed-in people: the schema names every action a person can take.
    path("schema/", login_required(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("v1/cases/", views.CaseListView.as_view(), name="cases"),
    path("v1/cases/<str:reference>/", views.CaseDetailView.as_view(), name="case"),
    path("v1/cases/<str:reference>/steps/", views.CaseStepsView.as_view(), name="case_steps"),
    *(
        path(f"v1/cases/<str:reference>/{name}/", view.as_view(), name=f"case_{name}")
        for name, view in ACTIONS.items()
    ),
    path("v1/policies/", policies.PolicyListView.as_view(), name="policies"),
    path("v1/policies/<slug:slug>/", policies.PolicyDetailView.as_view(), name="policy"),
    path(
        "v1/policies/<slug:slug>/timeline/",
        policies.PolicyTimelineView.as_view(),
        name="policy_timeline",
    ),
    path("v1/notifications/", notifications.NotificationListView.as_view(), name="notifications"),
    path("v1/report/", reports.ReportView.as_view(), name="report"),
]
