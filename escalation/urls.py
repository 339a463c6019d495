from django.urls import path

from escalation import views

app_name = "escalation"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    # -- raise a challenge (raise_views) --
    # -- case page and step actions (case_views) --
    # -- overdue, board and policy pages (oversight_views) --
]
