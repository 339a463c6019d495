"""Who may see and do what to a case (django-rules predicates over user and case).

Every predicate that hides a case has a twin filter in escalation/queries/cases.py; the tests in
tests/escalation/test_rules.py hold the two together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import rules

from agencies.enums import PARTNERSHIP_ROLES, Role
from escalation.enums import CaseStatus
from escalation.queries.steps import pending_resolution, step_named_ids, step_sides

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from agencies.models import Agency
    from escalation.models import Case, CaseStep

    # Whoever is asking: rules answer for visitors not signed in too.
    Person = User | AnonymousUser

MANAGER_ROLES = frozenset({Role.LINE_MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD})


@dataclass(frozen=True)
class Seat:
    """One of a person's memberships, reduced to what the rules need."""

    agency_id: int
    partnership_id: int
    role: str


def seats(user: Person) -> tuple[Seat, ...]:
    """The person's memberships, read once per user object."""
    if not user.is_authenticated:
        return ()
    cached = getattr(user, "_resolve_seats", None)
    if cached is None:
        from agencies.models import Membership

        cached = tuple(
            Seat(agency_id=m.agency_id, partnership_id=m.agency.partnership_id, role=m.role)
            for m in Membership.objects.filter(user=user).select_related("agency")
        )
        setattr(user, "_resolve_seats", cached)  # noqa: B010 (a cache on the user object)
    return cached


def acts_at(user: Person, step: CaseStep | None) -> bool:
    """True when the person acts at this step: its assignee on a side, or a member of that
    side's agency (for the partnership side, of the partnership) holding its role level."""
    if step is None or not getattr(user, "is_authenticated", False):
        return False
    if user.pk in step_named_ids(step):
        return True
    case = step.case
    for acting in step_sides(step, case=case):
        for seat in seats(user):
            if seat.role != acting.role:
                continue
            if acting.agency_id is None and seat.partnership_id == case.partnership_id:
                return True
            if acting.agency_id is not None and seat.agency_id == acting.agency_id:
                return True
    return False


@rules.predicate
def is_party(user: Person, case: Case) -> bool:
    """The person works in the challenging or the responding agency (any non-partnership role)."""
    party = {case.challenging_agency_id, case.responding_agency_id}
    return any(s.agency_id in party and s.role not in PARTNERSHIP_ROLES for s in seats(user))


@rules.predicate
def is_board_staff(user: Person, case: Case) -> bool:
    """Board staff see every case of their partnership."""
    return any(
        s.role == Role.BOARD_STAFF and s.partnership_id == case.partnership_id for s in seats(user)
    )


@rules.predicate
def is_on_a_partnership_step(user: Person, case: Case) -> bool:
    """The person's partnership role acts at a step the case has reached (current or past)."""
    roles = {
        s.role
        for s in seats(user)
        if s.partnership_id == case.partnership_id and s.role in PARTNERSHIP_ROLES
    }
    if not roles:
        return False
    return case.steps.filter(partnership_role__in=roles).exists()


@rules.predicate
def is_open(user: Person, case: Case) -> bool:
    return case.status == CaseStatus.OPEN


@rules.predicate
def is_raiser(user: Person, case: Case) -> bool:
    return bool(getattr(user, "pk", None)) and case.raised_by_id == user.pk


@rules.predicate
def is_challenging_manager(user: Person, case: Case) -> bool:
    return any(
        s.agency_id == case.challenging_agency_id and s.role in MANAGER_ROLES for s in seats(user)
    )


@rules.predicate
def is_party_manager(user: Person, case: Case) -> bool:
    party = {case.challenging_agency_id, case.responding_agency_id}
    return any(s.agency_id in party and s.role in MANAGER_ROLES for s in seats(user))


@rules.predicate
def acts_at_current_step(user: Person, case: Case) -> bool:
    return acts_at(user, case.current_step)


@rules.predicate
def has_next_step(user: Person, case: Case) -> bool:
    step = case.current_step
    if step is None:
        return False
    from escalation.queries.policies import case_route

    return case_route(case).step_after(step.number) is not None


@rules.predicate
def may_skip_current_step(user: Person, case: Case) -> bool:
    """Only where the step allows it and a risk of significant harm is flagged."""
    step = case.current_step
    if step is None or not case.risk_of_significant_harm:
        return False
    from escalation.queries.policies import case_route

    return case_route(case).step(step.number).may_skip_when_risk


@rules.predicate
def awaits_resolution_answer(user: Person, case: Case) -> bool:
    """A resolution proposed at the current step waits for the raiser's side."""
    return pending_resolution(case) is not None


@rules.predicate
def is_party_lead(user: Person, case: Case) -> bool:
    """A safeguarding lead of the challenging or the responding agency."""
    party = {case.challenging_agency_id, case.responding_agency_id}
    return any(s.agency_id in party and s.role == Role.SAFEGUARDING_LEAD for s in seats(user))


def works_for_side(user: Person, case: Case, side: str) -> bool:
    """The person works in the agency of that side of the case (any non-partnership role):
    only such a person may name who acts for the side."""
    from escalation.enums import Side

    if side == Side.CHALLENGING:
        agency_id = case.challenging_agency_id
    elif side == Side.RESPONDING:
        agency_id = case.responding_agency_id
    else:
        return False
    return any(s.agency_id == agency_id and s.role not in PARTNERSHIP_ROLES for s in seats(user))


can_view_case = is_party | is_board_staff | is_on_a_partnership_step
# The raiser's side: who raised the challenge and the managers of the challenging agency.
# Their word closes a case: withdrawing, and agreeing to a resolution.
raisers_side = is_raiser | is_challenging_manager

rules.add_perm("escalation.view_case", can_view_case)
rules.add_perm("escalation.record_outcome", is_open & acts_at_current_step)
rules.add_perm("escalation.escalate_case", is_open & acts_at_current_step & has_next_step)
rules.add_perm(
    "escalation.skip_step",
    is_open & acts_at_current_step & may_skip_current_step & has_next_step,
)
rules.add_perm("escalation.resolve_case", is_open & acts_at_current_step)
rules.add_perm("escalation.withdraw_case", is_open & raisers_side)
rules.add_perm("escalation.agree_for_raiser", is_open & raisers_side)
rules.add_perm("escalation.answer_resolution", is_open & raisers_side & awaits_resolution_answer)
rules.add_perm("escalation.reassign_case", is_open & (is_party_manager | acts_at_current_step))
rules.add_perm("escalation.set_due", is_open & (is_raiser | acts_at_current_step))
rules.add_perm("escalation.meet_target", is_open & is_party)
# Chasing an overdue step: the parties' safeguarding leads and the partnership's board staff
# (the transition also requires the step to be overdue: docs/decisions.md, "Chasing").
may_chase = is_party_lead | is_board_staff
rules.add_perm("escalation.chase_step", is_open & may_chase)


@rules.predicate
def can_raise_for_agency(user: Person, agency: Agency) -> bool:
    """A person may raise a challenge on behalf of an agency they work in."""
    return any(s.agency_id == agency.pk and s.role not in PARTNERSHIP_ROLES for s in seats(user))


rules.add_perm("escalation.raise_case", can_raise_for_agency)
