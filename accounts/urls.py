from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("account/two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/backup-codes/", views.backup_codes, name="backup_codes"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("account/tokens/<str:prefix>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
