import pytest
from django.core.management import call_command


@pytest.fixture
def presets(db):
    """The four shipped policy presets, loaded and published."""
    call_command("load_policies", verbosity=0)
    from escalation.models import Policy

    return {p.slug: p for p in Policy.objects.filter(owner__isnull=True)}
