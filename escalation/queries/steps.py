"""Who acts at a step: the one read of a step's role and assignee columns, side by side.

A step copies from the policy, when it starts, the role level that acts for the challenging
agency, the responding agency and the partnership; a manager may then name the person who
acts for an agency's side (never for the partnership's: its team shares the step). Every
caller (the rules, the transitions' recipients, the sweep, the pages, the written record,
the demo) reads those columns through step_sides, so a new side or column changes here only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from escalation.enums import Side

if TYPE_CHECKING:
    from agencies.models import Agency
    from escalation.models import Case, CaseStep


@dataclass(frozen=True)
class StepSide:
    """One side that acts at a step: its role level, where it sits, who is named for it.

    The ids are read from the step and its case as they stand, so a batch of steps read with
    only their columns (the sweep) costs nothing more; `assignee` and `agency` follow the
    foreign key, a query unless the caller select_related it.
    """

    side: str  # a Side
    role: str  # the role level (agencies.enums.Role) copied from the policy
    agency_id: int | None  # None: the partnership's side
    assignee_id: int | None  # the person named for the side, if one was
    step: CaseStep = field(repr=False, compare=False)
    case: Case = field(repr=False, compare=False)

    @property
    def assignee(self) -> Any | None:
        if self.assignee_id is None:
            return None
        if self.side == Side.CHALLENGING:
            return self.step.challenging_assignee
        return self.step.responding_assignee

    @property
    def agency(self) -> Agency | None:
        """The side's agency; None for the partnership's side."""
        if self.side == Side.CHALLENGING:
            return self.case.challenging_agency
        if self.side == Side.RESPONDING:
            return self.case.responding_agency
        return None


def step_sides(step: CaseStep, *, case: Case | None = None) -> list[StepSide]:
    """The sides that act at the step, in order: challenging, responding, partnership.

    Pass `case` when the caller holds the step's case: a case's current_step does not know
    its case, and step.case would read it again.
    """
    if case is None:
        case = step.case
    sides = (
        StepSide(
            side=Side.CHALLENGING,
            role=step.challenging_role,
            agency_id=case.challenging_agency_id,
            assignee_id=step.challenging_assignee_id,
            step=step,
            case=case,
        ),
        StepSide(
            side=Side.RESPONDING,
            role=step.responding_role,
            agency_id=case.responding_agency_id,
            assignee_id=step.responding_assignee_id,
            step=step,
            case=case,
        ),
        StepSide(
            side=Side.PARTNERSHIP,
            role=step.partnership_role,
            agency_id=None,
            assignee_id=None,
            step=step,
            case=case,
        ),
    )
    return [s for s in sides if s.role]


def step_named_ids(step: CaseStep) -> set[int]:
    """The people named at the step, read from the step alone: a named person acts whatever
    their seats, so the rules ask this first and read the step's case only when they must."""
    named = (step.challenging_assignee_id, step.responding_assignee_id)
    return {pk for pk in named if pk is not None}


def pending_resolution(case: Case) -> Any | None:
    """The resolution waiting for the raiser's side to answer (a ResolutionProposal), if any:
    one proposed at the case's current step, not answered, on an open case."""
    from escalation.enums import CaseStatus
    from escalation.models import ResolutionProposal

    if case.status != CaseStatus.OPEN or case.current_step_id is None:
        return None
    return (
        ResolutionProposal.objects.filter(case=case, step_id=case.current_step_id, answer="")
        .select_related("proposed_by")
        .first()
    )


def step_people(step: CaseStep, *, case: Case | None = None) -> list[tuple[StepSide, Any]]:
    """The people who must act at a step, each with the side they act for: the person named
    for a side where one was, else (a practitioner's side) the raiser or the responding
    person, else everyone active in the side's role (in its agency, or for the partnership's
    side anywhere in the partnership). A person may come once per side."""
    from agencies.enums import Role
    from agencies.selectors import people_in_role

    if case is None:
        case = step.case
    people: list[tuple[StepSide, Any]] = []
    for acting in step_sides(step, case=case):
        if acting.assignee is not None:
            people.append((acting, acting.assignee))
        elif (
            acting.side == Side.RESPONDING
            and acting.role == Role.PRACTITIONER
            and case.responding_person
        ):
            people.append((acting, case.responding_person))
        elif acting.side == Side.CHALLENGING and acting.role == Role.PRACTITIONER:
            people.append((acting, case.raised_by))
        else:
            people.extend(
                (acting, person)
                for person in people_in_role(
                    agency=acting.agency, partnership=case.partnership, role=acting.role
                )
            )
    return people


def line_managers(people: list[tuple[StepSide, Any]]) -> list[Any]:
    """The active line managers of the people who act at a step (step_people), each from the
    person's membership in the agency they act for (for the partnership's side, in any of the
    partnership's agencies)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    where = Q(pk__in=[])
    for acting, person in people:
        seat = Q(memberships__reports__user=person)
        if acting.agency_id is not None:
            seat &= Q(memberships__reports__agency_id=acting.agency_id)
        else:
            seat &= Q(memberships__reports__agency__partnership_id=acting.case.partnership_id)
        where |= seat
    return list(get_user_model().objects.filter(where, is_active=True).distinct().order_by("pk"))
