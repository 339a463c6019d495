from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Probes for the platform (liveness, readiness) and structured logs."""

    name = "ops"
    default_auto_field = "django.db.models.BigAutoField"
