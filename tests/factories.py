"""Real objects for tests, one factory per thing (and per state where it matters)."""

from __future__ import annotations

import datetime as dt
import html

import factory
from django.contrib.auth import get_user_model
from faker import Faker

from agencies.enums import AgencyKind, Nation, Role
from agencies.models import Agency, ClosureDay, Membership, Partnership

User = get_user_model()

_names = Faker("en_GB")


def _plain(make) -> str:
    """A generated name that reads the same in HTML (no O'Brien): tests compare names with the
    page's text. A name with markup in it is shown escaped: tests/escalation/test_access_log.py."""
    while True:
        name = make()
        if html.escape(name) == name:
            return name


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.LazyFunction(lambda: _plain(_names.first_name))
    last_name = factory.LazyFunction(lambda: _plain(_names.last_name))
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("resolve-test-pass")


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Test Safeguarding Partnership {n}")
    code = factory.Sequence(lambda n: f"TSP{n}")
    nation = Nation.ENGLAND
    close_of_business = dt.time(17, 0)


class ClosureDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClosureDay

    partnership = factory.SubFactory(PartnershipFactory)
    date = dt.date(2026, 12, 29)
    name = "Council closure day"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.HEALTH


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.PRACTITIONER
    job_title = factory.LazyAttribute(lambda m: Role(m.role).label)
