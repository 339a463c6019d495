from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
]
