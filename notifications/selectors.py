"""Reads for the outbox, the deadline sweep and the inbox."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from agencies.enums import Role
from agencies.models import Membership
from escalation.enums import Side
from escalation.models import Case, CaseStep
from escalation.queries.steps import step_sides
from notifications.enums import OutboxStatus
from notifications.models import Notification, OutboxMessage

# The columns the sweep reads: no case content (the disagreement, the subject) is fetched.
STEP_COLUMNS = (
    "id",
    "case_id",
    "number",
    "name",
    "started_at",
    "due_at",
    "challenging_role",
    "responding_role",
    "partnership_role",
    "challenging_assignee_id",
    "responding_assignee_id",
)
CASE_COLUMNS = (
    "id",
    "reference",
    "partnership_id",
    "status",
    "raised_by_id",
    "responding_person_id",
    "challenging_agency_id",
    "responding_agency_id",
)


def sweep_candidates(*, due_before: dt.datetime) -> QuerySet[CaseStep]:
    """Open steps due before `due_before`: the overdue and those due soon.

    One query over the partial index `open_step_due` (open steps by due moment), joining
    nothing, so that the plan cannot turn to scanning cases: it reads the steps that are
    due, never the rest, and its cost follows what is due rather than how many steps there
    are. Their cases are then read by primary key (a second, prefetching query); the sweep
    keeps those of open cases in partnerships within working hours.
    """
    return (
        CaseStep.objects.filter(
            completed_at__isnull=True, due_at__isnull=False, due_at__lt=due_before
        )
        .only(*STEP_COLUMNS)
        .prefetch_related(Prefetch("case", queryset=Case.objects.only(*CASE_COLUMNS)))
        .order_by("due_at", "pk")
    )


@dataclass(frozen=True)
class Seat:
    """One membership, reduced to what finding recipients needs."""

    user_id: int
    agency_id: int
    partnership_id: int
    role: str
    line_manager_id: int | None  # the line manager's user id, when they are active


def _seats(*, agency_ids: set[int], partnership_roles: set[tuple[int, str]]) -> list[Seat]:
    """Active people's memberships in these agencies, and in these partnerships' roles."""
    q = Q(agency_id__in=agency_ids)
    for partnership_id, role in partnership_roles:
        q |= Q(agency__partnership_id=partnership_id, role=role)
    rows = (
        Membership.objects.filter(q, user__is_active=True)
        .values_list(
            "user_id",
            "agency_id",
            "agency__partnership_id",
            "role",
            "line_manager__user_id",
            "line_manager__user__is_active",
        )
        .order_by("user_id")
    )
    return [
        Seat(user, agency, partnership, role, manager if manager_active else None)
        for user, agency, partnership, role, manager, manager_active in rows
    ]


@dataclass(frozen=True)
class Actor:
    """Someone who acts at a step, and where: the agency of their side, or the partnership."""

    user_id: int
    agency_id: int | None  # None: the partnership's side
    role: str


class Recipients:
    """Who must hear about each of a batch of steps, read with two queries for the batch.

    The actors of a step follow escalation.domain.base.step_actors exactly (a test holds the
    two together), over the same sides (escalation.queries.steps.step_sides: ids only, so
    nothing is read beyond the columns fetched): the named assignee of a side; else the
    raiser for the challenging practitioner, the responding person for the responding
    practitioner; else everyone active in the role, in the side's agency or, for the
    partnership's side, anywhere in the partnership. Escalating alerts also go to each actor's line manager and to the
    safeguarding leads of the actor's agency.
    """

    def __init__(self, steps: Sequence[CaseStep]) -> None:
        agency_ids: set[int] = set()
        partnership_roles: set[tuple[int, str]] = set()
        for step in steps:
            for acting in step_sides(step):
                if acting.agency_id is None:
                    partnership_roles.add((step.case.partnership_id, acting.role))
                else:
                    agency_ids.add(acting.agency_id)
        self._by_agency: dict[int, list[Seat]] = defaultdict(list)
        self._by_partnership_role: dict[tuple[int, str], list[Seat]] = defaultdict(list)
        for seat in _seats(agency_ids=agency_ids, partnership_roles=partnership_roles):
            self._by_agency[seat.agency_id].append(seat)
            self._by_partnership_role[(seat.partnership_id, seat.role)].append(seat)

    def actors(self, step: CaseStep) -> list[Actor]:
        case = step.case
        found: list[Actor] = []
        for acting in step_sides(step):
            role, agency_id = acting.role, acting.agency_id
            if acting.assignee_id is not None:
                found.append(Actor(acting.assignee_id, agency_id, role))
            elif (
                acting.side == Side.RESPONDING
                and role == Role.PRACTITIONER
                and case.responding_person_id
            ):
                found.append(Actor(case.responding_person_id, agency_id, role))
            elif acting.side == Side.CHALLENGING and role == Role.PRACTITIONER:
                found.append(Actor(case.raised_by_id, agency_id, role))
            elif agency_id is None:
                for user_id in sorted(
                    {s.user_id for s in self._by_partnership_role[(case.partnership_id, role)]}
                ):
                    found.append(Actor(user_id, None, role))
            else:
                for user_id in sorted(
                    {s.user_id for s in self._by_agency[agency_id] if s.role == role}
                ):
                    found.append(Actor(user_id, agency_id, role))
        return found

    def actor_ids(self, step: CaseStep) -> list[int]:
        return _unique(a.user_id for a in self.actors(step))

    def with_managers(self, step: CaseStep) -> list[int]:
        """The actors, then each one's line manager, then their agency's safeguarding leads."""
        actors = self.actors(step)
        people = [a.user_id for a in actors]
        leads: list[int] = []
        for actor in actors:
            if actor.agency_id is None:
                seats = [
                    s
                    for s in self._by_partnership_role[(step.case.partnership_id, actor.role)]
                    if s.user_id == actor.user_id
                ]
                agencies = {s.agency_id for s in seats}
            else:
                seats = [s for s in self._by_agency[actor.agency_id] if s.user_id == actor.user_id]
                agencies = {actor.agency_id}
            people.extend(s.line_manager_id for s in seats if s.line_manager_id is not None)
            for agency_id in sorted(agencies):
                leads.extend(
                    s.user_id
                    for s in self._by_agency.get(agency_id, ())
                    if s.role == Role.SAFEGUARDING_LEAD
                )
        return _unique([*people, *leads])


def _unique(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def outbox_stale_ids(*, now: dt.datetime, stale_before: dt.datetime, limit: int) -> list[int]:
    """Pending rows that may be delivered now and that nothing has handled since they were
    queued (or written) before `stale_before`: the broker was down, or a worker died."""
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .annotate(handled=Coalesce(F("queued_at"), F("created_at")))
        .filter(handled__lte=stale_before)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def inbox_for_user(*, user: Any, unread: bool | None = None) -> QuerySet[Notification]:
    """The person's notifications, newest first; only the unread (or only the read) ones
    when `unread` says so."""
    found = Notification.objects.filter(recipient=user)
    if unread is not None:
        found = found.filter(read_at__isnull=unread)
    return found.order_by("-created_at", "-pk")


def inbox_unread_count(*, user: Any) -> int:
    """How many of the person's notifications are unread (the partial index
    `notification_unread` answers it)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
