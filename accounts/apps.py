from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in and sessions"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy check)
