from django.urls import path

from escalation import views

app_name = "escalation"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
]
