from django.apps import AppConfig


class ProformaConfig(AppConfig):
    name = "proforma"
    verbose_name = "Pro forma and PDFs"
    default_auto_field = "django.db.models.BigAutoField"
