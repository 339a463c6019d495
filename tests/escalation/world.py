"""A small partnership with a person in every role, for tests of cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agencies.enums import AgencyKind, Nation, Role
from agencies.models import Agency, Partnership
from escalation.domain import (
    case_agree_resolution,
    case_raise,
    case_resolve,
    step_record_outcome,
)
from escalation.models import Case, Policy
from escalation.policy import record_fields
from escalation.queries.policies import adopted_version, case_route, policy_spec
from tests.factories import AgencyFactory, MembershipFactory, PartnershipFactory, UserFactory

AGENCY_ROLES = (
    Role.PRACTITIONER,
    Role.LINE_MANAGER,
    Role.SENIOR_MANAGER,
    Role.SAFEGUARDING_LEAD,
)
BOARD_ROLES = (Role.STRATEGIC_MANAGER, Role.BOARD_STAFF, Role.PARTNERSHIP_ADMIN)


@dataclass
class World:
    partnership: Partnership
    challenging: Agency
    responding: Agency
    unrelated: Agency
    board: Agency
    people: dict[tuple[str, str], Any] = field(default_factory=dict)

    def person(self, where: str, role: str) -> Any:
        """where: 'challenging', 'responding', 'unrelated', 'board' or 'elsewhere'."""
        return self.people[(where, role)]

    def actor(self, case: Case, side: str) -> Any:
        """Someone who acts for `side` at the case's current step."""
        step = case_route(case).step(case.current_step.number)
        role = step.actors[side]
        if side == "partnership":
            return self.person("board", role)
        if side == "challenging" and role == Role.PRACTITIONER:
            return case.raised_by
        return self.person(side, role)

    def any_actor(self, case: Case) -> Any:
        step = case_route(case).step(case.current_step.number)
        side = next(iter(step.actors))
        return self.actor(case, side)

    def write_record(self, case: Case, *, by: Any = None) -> Case:
        """The current step's written record (its first text part), by someone acting there."""
        spec = case_route(case).step(case.current_step.number)
        texts = [
            f
            for f in record_fields(policy_spec(case.policy_version), spec)
            if f.kind in ("long_text", "text")
        ]
        return step_record_outcome(
            case=case,
            by=by or self.any_actor(case),
            record={texts[0].slug: "Both agencies set out their concerns and agreed the plan."},
            meeting_held=True,
            expected_version=case.version,
        )

    def resolve(self, case: Case, *, by: Any = None, **learning: Any) -> Case:
        """Resolve at the current step as both sides do: the record written if it is not,
        resolved by `by` (someone acting there), then agreed by the raiser when `by` is not
        of the raiser's side."""
        if case.current_step.recorded_at is None:
            case = self.write_record(case)
        learning.setdefault("learning", "Share the threshold guidance with both teams.")
        case = case_resolve(
            case=case, by=by or self.any_actor(case), expected_version=case.version, **learning
        )
        if case.is_open:
            case = case_agree_resolution(
                case=case, by=case.raised_by, expected_version=case.version
            )
        return case

    def raise_case(self, **overrides: Any) -> Case:
        kwargs: dict[str, Any] = {
            "by": self.person("challenging", Role.PRACTITIONER),
            "challenging_agency": self.challenging,
            "responding_agency": self.responding,
            "responding_professional": "A. Social Worker, duty team",
            "responding_person": self.person("responding", Role.PRACTITIONER),
            "subject_kind": "adult" if self.audience == "adults" else "child",
            "subject_initials": "JD",
            "subject_age_band": "26-64" if self.audience == "adults" else "5-10",
            "category": "criteria-for-referrals",
            "disagreement": "The referral was closed without an assessment.",
            "impact": "The child is left without support at home.",
        }
        kwargs.update(overrides)
        return case_raise(**kwargs)

    audience: str = "children"


def build_world(*, policy: Policy, nation: str = Nation.ENGLAND, code: str = "TST") -> World:
    partnership = PartnershipFactory(code=code, nation=nation, adopted_policy=policy)
    challenging = AgencyFactory(
        partnership=partnership, name="Hillside Health", kind=AgencyKind.HEALTH
    )
    responding = AgencyFactory(
        partnership=partnership, name="County Social Care", kind=AgencyKind.CHILDRENS_SOCIAL_CARE
    )
    unrelated = AgencyFactory(partnership=partnership, name="Valley Police", kind=AgencyKind.POLICE)
    board = AgencyFactory(partnership=partnership, name="The Board", kind=AgencyKind.PARTNERSHIP)
    world = World(
        partnership=partnership,
        challenging=challenging,
        responding=responding,
        unrelated=unrelated,
        board=board,
    )
    for where, agency in (
        ("challenging", challenging),
        ("responding", responding),
        ("unrelated", unrelated),
    ):
        for role in AGENCY_ROLES:
            user = UserFactory(username=f"{code}-{where}-{role}".lower())
            MembershipFactory(user=user, agency=agency, role=role)
            world.people[(where, role)] = user
    for role in BOARD_ROLES:
        user = UserFactory(username=f"{code}-board-{role}".lower())
        MembershipFactory(user=user, agency=board, role=role)
        world.people[("board", role)] = user
    # People of another partnership, in every role, for "sees nothing" tests.
    other = PartnershipFactory(code=f"{code}X", nation=nation, adopted_policy=policy)
    other_agency = AgencyFactory(partnership=other, name="Elsewhere Trust")
    other_board = AgencyFactory(
        partnership=other, name="Elsewhere Board", kind=AgencyKind.PARTNERSHIP
    )
    for role in AGENCY_ROLES:
        user = UserFactory(username=f"{code}-elsewhere-{role}".lower())
        MembershipFactory(user=user, agency=other_agency, role=role)
        world.people[("elsewhere", role)] = user
    for role in BOARD_ROLES:
        user = UserFactory(username=f"{code}-elsewhere-board-{role}".lower())
        MembershipFactory(user=user, agency=other_board, role=role)
        world.people[("elsewhere", role)] = user
    world.audience = policy_spec(adopted_version(partnership=partnership)).audience
    return world


# The nation and partnership code of each shipped preset's world in these tests. A preset not
# named here (a new file in escalation/presets/) gets an English partnership: adding a preset
# needs no line here.
PRESET_WORLDS: dict[str, tuple[str, str]] = {
    "oscb-children": (Nation.ENGLAND, "OXF"),
    "ssab-adults": (Nation.NORTHERN_IRELAND, "SSA"),
    "4lscb-children": (Nation.WALES, "FOU"),
    "sab-adults": (Nation.WALES, "SAB"),
}


def preset_world(presets: dict[str, Policy], slug: str) -> World:
    """build_world for a preset, for tests that run over every preset in the folder."""
    nation, code = PRESET_WORLDS.get(slug, (Nation.ENGLAND, "NEW"))
    return build_world(policy=presets[slug], nation=nation, code=code)
