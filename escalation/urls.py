from django.urls import path

from escalation.pages import home as views
from escalation.pages import raising as raise_views
from escalation.pages.case import views as case_views
from escalation.pages.oversight import views as oversight_views

app_name = "escalation"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<str:reference>/", case_views.case_page, name="case"),
    # -- raise a challenge (raise_views) --
    path("raise/", raise_views.start, name="raise"),
    path("raise/<str:draft_id>/check/", raise_views.check, name="raise_check"),
    path("raise/<str:draft_id>/done/", raise_views.done, name="raise_done"),
    path(
        "raise/<str:draft_id>/question/<slug:slug>/",
        raise_views.question,
        name="raise_question",
    ),
    path(
        "raise/<str:draft_id>/not-for-this-procedure/<slug:slug>/",
        raise_views.not_for,
        name="raise_not_for",
    ),
    path(
        "raise/<str:draft_id>/cannot-use-route/<slug:slug>/<slug:option>/",
        raise_views.refused,
        name="raise_refused",
    ),
    path("raise/<str:draft_id>/<slug:key>/", raise_views.answer_page, name="raise_page"),
    # -- case page and step actions (case_views) --
    path("cases/<str:reference>/record/", case_views.case_record, name="case_record"),
    path("cases/<str:reference>/escalate/", case_views.case_escalate_view, name="case_escalate"),
    path("cases/<str:reference>/skip/", case_views.case_skip_view, name="case_skip"),
    path("cases/<str:reference>/resolve/", case_views.case_resolve_view, name="case_resolve"),
    path("cases/<str:reference>/withdraw/", case_views.case_withdraw_view, name="case_withdraw"),
    path("cases/<str:reference>/agree/", case_views.case_agree_view, name="case_agree"),
    path("cases/<str:reference>/dispute/", case_views.case_dispute_view, name="case_dispute"),
    path("cases/<str:reference>/reassign/", case_views.case_reassign_view, name="case_reassign"),
    path("cases/<str:reference>/chase/", case_views.case_chase_view, name="case_chase"),
    path("cases/<str:reference>/due/", case_views.case_set_due_view, name="case_set_due"),
    path("cases/<str:reference>/target/", case_views.case_meet_target_view, name="case_target"),
    # -- overdue, board and policy pages (oversight_views) --
    path("overdue/", oversight_views.overdue, name="overdue"),
    path("board/cases/", oversight_views.board_cases, name="board_cases"),
    path("policies/", oversight_views.policy_list, name="policies"),
    path("policies/<slug:slug>/", oversight_views.policy_detail, name="policy"),
    path(
        "policies/<slug:slug>/timeline/",
        oversight_views.policy_timeline_page,
        name="policy_timeline",
    ),
]
