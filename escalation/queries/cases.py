"""Reads of cases. Each filter here hides exactly what a predicate in rules.py hides."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from agencies.enums import PARTNERSHIP_ROLES, Role
from escalation.enums import CaseStatus
from escalation.models import Case, CaseStep
from escalation.rules import seats


def case_visibility_q(*, user: Any) -> Q:
    """The queryset twin of rules.can_view_case."""
    my_seats = seats(user)
    party_agencies = {s.agency_id for s in my_seats if s.role not in PARTNERSHIP_ROLES}
    board_partnerships = {s.partnership_id for s in my_seats if s.role == Role.BOARD_STAFF}
    q = Q(pk__in=[])
    if party_agencies:
        q |= Q(challenging_agency_id__in=party_agencies) | Q(
            responding_agency_id__in=party_agencies
        )
    if board_partnerships:
        q |= Q(partnership_id__in=board_partnerships)
    for seat in my_seats:
        if seat.role in PARTNERSHIP_ROLES:
            reached = CaseStep.objects.filter(case=OuterRef("pk"), partnership_role=seat.role)
            q |= Q(Exists(reached), partnership_id=seat.partnership_id)
    return q


def case_list_for_user(*, user: Any) -> QuerySet[Case]:
    """Every case the person may see, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return (
        Case.objects.filter(case_visibility_q(user=user))
        .select_related(
            "partnership", "challenging_agency", "responding_agency", "current_step", "raised_by"
        )
        .order_by("-raised_at")
    )


def case_get_for_user(*, user: Any, reference: str) -> Case:
    """The case with this reference if the person may see it; Case.DoesNotExist otherwise,
    so that a case of another agency looks exactly like one that does not exist."""
    return case_list_for_user(user=user).select_related("policy_version").get(reference=reference)


def case_steps(*, case: Case) -> QuerySet[CaseStep]:
    return case.steps.select_related(
        "completed_by", "recorded_by", "challenging_assignee", "responding_assignee"
    ).order_by("number")


WORK_PAGE_SIZE = 50  # open cases a page of the work queue
CLOSED_SHOWN = 20  # the latest closed cases beside them


def case_work_queue(
    *, user: Any, page: Any = 1, per_page: int = WORK_PAGE_SIZE
) -> tuple[Page[Case], list[Case]]:
    """One page of the person's open cases, due soonest first (due never last), and their
    latest closed cases, newest first. A page number out of range or not a number gives the
    nearest page: the queue is read often and its length changes between reads."""
    cases = case_list_for_user(user=user)
    open_cases = cases.filter(status=CaseStatus.OPEN).order_by(
        F("current_step__due_at").asc(nulls_last=True), "raised_at", "pk"
    )
    closed = list(cases.exclude(status=CaseStatus.OPEN).order_by("-closed_at")[:CLOSED_SHOWN])
    return Paginator(open_cases, per_page).get_page(page), closed
