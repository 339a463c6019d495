"""The words of the partnership's world: nations, agency kinds and roles."""

from django.db import models


class Nation(models.TextChoices):
    """The nation picks the bank holidays (the `holidays` package's UK subdivisions)."""

    ENGLAND = "england", "England"
    WALES = "wales", "Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    HEALTH = "health", "Health trust"
    CHILDRENS_SOCIAL_CARE = "childrens-social-care", "Children's social care"
    ADULT_SOCIAL_CARE = "adult-social-care", "Adult social care"
    SCHOOL = "school", "School"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    VOLUNTARY = "voluntary", "Voluntary, community and faith sector"
    PARTNERSHIP = "partnership", "Safeguarding partnership (board)"


class Role(models.TextChoices):
    """A person's role in an agency. The first five are the rungs of the ladder that policy
    steps name as role levels; the last two work for the partnership, not in a case."""

    PRACTITIONER = "practitioner", "Practitioner"
    LINE_MANAGER = "line_manager", "Line manager"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Designated safeguarding lead"
    STRATEGIC_MANAGER = "strategic_manager", "Strategic safeguarding manager"
    BOARD_STAFF = "board_staff", "Board staff"
    PARTNERSHIP_ADMIN = "partnership_admin", "Partnership administrator"


# Roles whose holders work for the partnership as a whole rather than for one side of a case.
PARTNERSHIP_ROLES = frozenset({Role.STRATEGIC_MANAGER, Role.BOARD_STAFF, Role.PARTNERSHIP_ADMIN})
