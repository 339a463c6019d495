"""Platform administrators configure partnerships; they see no case content."""

import pytest
from django.contrib import admin

from escalation.models import Case, CaseStep, Learning

pytestmark = pytest.mark.django_db


def test_no_case_content_is_registered_in_the_admin():
    registered = set(admin.site._registry)
    assert not registered & {Case, CaseStep, Learning, Case.history.model}


def test_admin_lists_partnerships(admin_client):
    from tests.factories import PartnershipFactory

    PartnershipFactory(name="Northshire Partnership")
    response = admin_client.get("/admin/agencies/partnership/")
    assert response.status_code == 200
    assert "Northshire Partnership" in response.content.decode()


def test_admin_has_no_case_pages(admin_client):
    response = admin_client.get("/admin/escalation/case/")
    assert response.status_code == 404


def test_people_in_role_matches_role_and_agency_on_one_membership():
    from agencies.enums import Role
    from agencies.selectors import people_in_role
    from tests.factories import AgencyFactory, MembershipFactory, UserFactory

    first = AgencyFactory()
    second = AgencyFactory(partnership=first.partnership)
    person = UserFactory()
    MembershipFactory(user=person, agency=first, role=Role.PRACTITIONER)
    MembershipFactory(user=person, agency=second, role=Role.LINE_MANAGER)
    found = people_in_role(agency=first, partnership=first.partnership, role=Role.LINE_MANAGER)
    assert list(found) == []
    found = people_in_role(agency=second, partnership=first.partnership, role=Role.LINE_MANAGER)
    assert list(found) == [person]
