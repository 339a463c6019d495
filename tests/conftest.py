import pytest
from django.conf import settings
from django.core.management import call_command


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Tests make many people; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _two_factor_waived():
    """Tests of everything else sign in with a password alone (or force_login); the tests of
    two-factor sign-in (tests/accounts/test_two_factor.py) require it again."""
    settings.RESOLVE_TWO_FACTOR = False


@pytest.fixture
def presets(db):
    """Every shipped policy preset (escalation/presets/*.yaml), loaded and published, by slug."""
    call_command("load_policies", verbosity=0)
    from escalation.models import Policy

    return {p.slug: p for p in Policy.objects.filter(owner__isnull=True)}
