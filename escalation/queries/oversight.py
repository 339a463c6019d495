"""Reads for the oversight pages: the safeguarding lead's overdue list, the board's case list,
the policies a person may read, and the policy timeline preview (shared with the
`policy_timeline` command).

Every case list starts from escalation.queries.cases.case_list_for_user, so a case hidden by the
rules is hidden here too; the filters below only narrow it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import timezone

from agencies.calendars import LONDON, NATIONS, WorkingCalendar
from agencies.enums import AgencyKind, Role
from agencies.models import Agency, Partnership
from escalation.deadlines import TimelineEntry, add_working_days, day_zero, timeline
from escalation.enums import CaseStatus, PolicyVersionStatus, Side
from escalation.models import Case, Policy, PolicyVersion
from escalation.policy import PolicySpec, RouteSpec, StepSpec
from escalation.queries.cases import case_list_for_user
from escalation.queries.policies import policy_spec, rule_in_words
from escalation.queries.steps import step_sides
from escalation.rules import seats

# How far ahead the overdue page looks: steps due by close of business on this working day
# after today's day 0 are listed with the overdue ones.
DUE_SOON_WORKING_DAYS = 2

BOARD_ROLES = frozenset({Role.BOARD_STAFF, Role.STRATEGIC_MANAGER})


# --- who the pages are for -------------------------------------------------------------


def lead_agency_ids(*, user: Any) -> set[int]:
    """The agencies in which the person is the designated safeguarding lead."""
    return {s.agency_id for s in seats(user) if s.role == Role.SAFEGUARDING_LEAD}


def lead_partnership_ids(*, user: Any) -> set[int]:
    """The partnerships in which the person is a designated safeguarding lead."""
    return {s.partnership_id for s in seats(user) if s.role == Role.SAFEGUARDING_LEAD}


def board_partnership_ids(*, user: Any) -> set[int]:
    """The partnerships in which the person is board staff or a strategic manager."""
    return {s.partnership_id for s in seats(user) if s.role in BOARD_ROLES}


def member_partnership_ids(*, user: Any) -> set[int]:
    """Every partnership the person holds any role in."""
    return {s.partnership_id for s in seats(user)}


# --- the overdue list ------------------------------------------------------------------


def partnership_calendars(
    *, partnership_ids: Iterable[int], today: dt.date
) -> dict[int, WorkingCalendar]:
    """Each partnership's working calendar from today on, in one query.

    The same calendar as agencies.selectors.partnership_calendar (nation, closure days, close
    of business), but closure days before today are left out: nothing looking forward from
    today needs them. A test holds the two together.
    """
    rows = (
        Partnership.objects.filter(pk__in=list(partnership_ids))
        .annotate(
            upcoming=FilteredRelation("closure_days", condition=Q(closure_days__date__gte=today))
        )
        .values("pk", "nation", "close_of_business", "upcoming__date", "upcoming__name")
    )
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = found.setdefault(
            row["pk"],
            {"nation": row["nation"], "close": row["close_of_business"], "closures": {}},
        )
        if row["upcoming__date"] is not None:
            entry["closures"][row["upcoming__date"]] = row["upcoming__name"]
    return {
        pk: WorkingCalendar(
            nation=entry["nation"],
            closure_days=entry["closures"],
            close_of_business=entry["close"],
        )
        for pk, entry in found.items()
    }


def due_soon_horizon(*, calendar: WorkingCalendar, now: dt.datetime) -> dt.datetime:
    """Close of business on the second working day after today's day 0 (aware, UTC)."""
    zero = day_zero(now, calendar)
    return calendar.close_of_business_on(add_working_days(zero, DUE_SOON_WORKING_DAYS, calendar))


def overdue_horizons(*, user: Any, now: dt.datetime) -> dict[int, dt.datetime]:
    """Partnership id -> the horizon of the overdue page, for the partnerships in which the
    person is a safeguarding lead."""
    partnership_ids = lead_partnership_ids(user=user)
    if not partnership_ids:
        return {}
    today = timezone.localtime(now, LONDON).date()
    calendars = partnership_calendars(partnership_ids=partnership_ids, today=today)
    return {pk: due_soon_horizon(calendar=cal, now=now) for pk, cal in calendars.items()}


def _overdue_queryset(*, user: Any, horizons: Mapping[int, dt.datetime]) -> QuerySet[Case]:
    agencies = lead_agency_ids(user=user)
    if not agencies or not horizons:
        return Case.objects.none()
    due = Q(pk__in=[])
    for partnership_id, horizon in horizons.items():
        due |= Q(partnership_id=partnership_id, current_step__due_at__lte=horizon)
    return case_list_for_user(user=user).filter(
        due,
        Q(challenging_agency_id__in=agencies) | Q(responding_agency_id__in=agencies),
        status=CaseStatus.OPEN,
        current_step__completed_at__isnull=True,
    )


def overdue_count(*, user: Any, now: dt.datetime | None = None) -> int:
    """How many cases the person's overdue page lists (0 for anyone but a safeguarding lead).

    Two small queries: the calendars of the lead's partnerships, then one COUNT.
    """
    if not lead_agency_ids(user=user):
        return 0
    horizons = overdue_horizons(user=user, now=now or timezone.now())
    return _overdue_queryset(user=user, horizons=horizons).count()


@dataclass(frozen=True)
class OverdueList:
    cases: list[Case]
    horizons: dict[int, dt.datetime]  # partnership id -> listed when due by then
    total: int  # before the filters


OVERDUE_SORTS: Mapping[str, tuple[str, ...]] = {
    "due": ("current_step__due_at", "reference"),
    "reference": ("reference",),
    "step": ("current_step__number", "current_step__due_at", "reference"),
}


def overdue_list(
    *,
    user: Any,
    now: dt.datetime | None = None,
    step: int | None = None,
    agency_id: int | None = None,
    policy_id: int | None = None,
    risk: bool | None = None,
    sort: str = "due",
    descending: bool = False,
) -> OverdueList:
    """Every open case of the lead's agencies (challenging or responding) whose current step is
    overdue or falls due by close of business on the second working day after today's day 0,
    narrowed by the filters and sorted."""
    horizons = overdue_horizons(user=user, now=now or timezone.now())
    cases = _overdue_queryset(user=user, horizons=horizons)
    total = cases.count()
    cases = filter_cases(cases, step=step, agency_id=agency_id, policy_id=policy_id, risk=risk)
    order = [F(key).desc() if descending else F(key).asc() for key in OVERDUE_SORTS[sort]]
    listed = list(
        cases.select_related(
            "policy_version__policy",
            "current_step__challenging_assignee",
            "current_step__responding_assignee",
        ).order_by(*order)
    )
    return OverdueList(cases=listed, horizons=horizons, total=total)


def filter_cases(
    cases: QuerySet[Case],
    *,
    status: str | None = None,
    step: int | None = None,
    agency_id: int | None = None,
    policy_id: int | None = None,
    route: str | None = None,
    category: str | None = None,
    risk: bool | None = None,
    raised_from: dt.date | None = None,
    raised_to: dt.date | None = None,
) -> QuerySet[Case]:
    """Narrow a case list; a filter left as None is not applied. Dates are UK days, inclusive."""
    if status:
        cases = cases.filter(status=status)
    if step is not None:
        cases = cases.filter(current_step__number=step)
    if agency_id is not None:
        cases = cases.filter(Q(challenging_agency_id=agency_id) | Q(responding_agency_id=agency_id))
    if policy_id is not None:
        cases = cases.filter(policy_version__policy_id=policy_id)
    if route:
        cases = cases.filter(route=route)
    if category:
        cases = cases.filter(category=category)
    if risk is not None:
        cases = cases.filter(risk_of_significant_harm=risk)
    if raised_from is not None:
        cases = cases.filter(raised_at__gte=_start_of_day(raised_from))
    if raised_to is not None:
        cases = cases.filter(raised_at__lt=_start_of_day(raised_to + dt.timedelta(days=1)))
    return cases


def _start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=LONDON)


# --- the board's case list -------------------------------------------------------------


def board_case_list(*, user: Any) -> QuerySet[Case]:
    """The cases of the partnerships where the person is board staff or a strategic manager,
    as far as the rules let them see (a strategic manager: those that reached their step)."""
    partnerships = board_partnership_ids(user=user)
    if not partnerships:
        return Case.objects.none()
    return (
        case_list_for_user(user=user)
        .filter(partnership_id__in=partnerships)
        .select_related("policy_version__policy")
    )


# --- what the filters offer ------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    steps: list[tuple[int, str]]
    agencies: list[tuple[int, str]]
    policies: list[tuple[int, str]]
    routes: list[tuple[str, str]]
    categories: list[tuple[str, str]]


def filter_choices(*, cases: QuerySet[Case], partnership_ids: Iterable[int]) -> FilterChoices:
    """The steps, agencies, policies, routes and categories a filter may choose from: those of
    the policies the partnerships' cases follow and the policies the partnerships adopted."""
    partnership_ids = list(partnership_ids)
    version_ids = set(cases.order_by().values_list("policy_version_id", flat=True).distinct())
    adopted = Policy.objects.filter(adopted_by__pk__in=partnership_ids)
    versions = list(
        PolicyVersion.objects.filter(
            Q(pk__in=version_ids)
            | Q(
                policy__in=adopted,
                status=PolicyVersionStatus.PUBLISHED,
            )
        )
        .select_related("policy")
        .order_by("policy__name", "-number")
    )
    steps: dict[int, str] = {}
    routes: dict[str, list[str]] = {}
    categories: dict[str, str] = {}
    policies: dict[int, str] = {}
    for version in versions:
        policies.setdefault(version.policy_id, version.policy.name)
        spec = policy_spec(version)
        for route in spec.routes:
            names = routes.setdefault(route.slug, [])
            if route.name not in names:
                names.append(route.name)
            for spec_step in route.ladder:
                steps.setdefault(spec_step.number, f"Step {spec_step.number}")
        for choice in spec.categories:
            categories.setdefault(choice.slug, choice.name)
    agencies = (
        Agency.objects.filter(partnership_id__in=partnership_ids)
        .exclude(kind=AgencyKind.PARTNERSHIP)
        .order_by("name")
        .values_list("pk", "name")
    )
    return FilterChoices(
        steps=sorted(steps.items()),
        agencies=list(agencies),
        policies=sorted(policies.items(), key=lambda item: item[1]),
        routes=sorted(
            ((slug, " / ".join(names)) for slug, names in routes.items()),
            key=lambda item: item[1],
        ),
        categories=sorted(categories.items(), key=lambda item: item[1]),
    )


# --- who must act ----------------------------------------------------------------------


def step_actors_in_words(case: Case) -> list[str]:
    """Who must act at the case's current step, side by side, e.g.
    "Hillside Health: Line manager" or "Hillside Health: A. Person (named)"."""
    step = case.current_step
    if step is None:
        return []
    roles = dict(Role.choices)
    found = []
    for acting in step_sides(step, case=case):
        where = acting.agency or case.partnership
        text = f"{where.name}: {roles.get(acting.role, acting.role)}"
        assignee = acting.assignee
        if assignee is not None:
            text += f" ({assignee.get_full_name() or assignee.get_username()})"
        found.append(text)
    return found


# --- the policies a person may read ----------------------------------------------------


def readable_policies_q(*, user: Any) -> Q:
    """The presets, and the adopted and own policies of the person's partnerships."""
    partnerships = member_partnership_ids(user=user)
    if not partnerships:
        return Q(pk__in=[])
    return Q(owner__isnull=True) | Q(adopted_by__pk__in=partnerships) | Q(owner_id__in=partnerships)


def policy_versions_for_user(*, user: Any) -> list[PolicyVersion]:
    """The newest published version of each policy the person may read, by policy name."""
    policies = Policy.objects.filter(readable_policies_q(user=user)).distinct()
    newest: dict[int, PolicyVersion] = {}
    for version in (
        PolicyVersion.objects.filter(policy__in=policies, status=PolicyVersionStatus.PUBLISHED)
        .select_related("policy", "policy__owner")
        .order_by("policy_id", "-number")
    ):
        newest.setdefault(version.policy_id, version)
    return sorted(newest.values(), key=lambda v: (v.policy.owner_id is None, v.policy.name))


def policy_version_for_user(*, user: Any, slug: str) -> PolicyVersion:
    """The newest published version of the policy with this slug, if the person may read it;
    PolicyVersion.DoesNotExist otherwise (unknown, another partnership's, or only drafts)."""
    policy = Policy.objects.filter(readable_policies_q(user=user), slug=slug).distinct().first()
    if policy is None:
        raise PolicyVersion.DoesNotExist(slug)
    version = (
        policy.versions.filter(status=PolicyVersionStatus.PUBLISHED)
        .select_related("policy", "policy__owner")
        .order_by("-number")
        .first()
    )
    if version is None:
        raise PolicyVersion.DoesNotExist(slug)
    return version


def adopted_policy_ids(*, user: Any) -> set[int]:
    """The policies the person's partnerships have adopted."""
    return set(
        Partnership.objects.filter(
            pk__in=member_partnership_ids(user=user), adopted_policy__isnull=False
        ).values_list("adopted_policy_id", flat=True)
    )


def home_nation(*, user: Any) -> str | None:
    """The nation of the person's (first) partnership, for the timeline form's default."""
    return (
        Partnership.objects.filter(pk__in=member_partnership_ids(user=user))
        .order_by("pk")
        .values_list("nation", flat=True)
        .first()
    )


# --- a policy in words -----------------------------------------------------------------


@dataclass(frozen=True)
class ActorInWords:
    side: str
    role: str
    title: str


@dataclass(frozen=True)
class StepInWords:
    spec: StepSpec
    actors: list[ActorInWords]
    deadline: str
    deadline_when_risk: str | None  # None: the same rule


def steps_in_words(route: RouteSpec) -> list[StepInWords]:
    """Each step of a route with who acts and its deadline rules in words."""
    sides = dict(Side.choices)
    roles = dict(Role.choices)
    found = []
    for spec in route.steps:
        actors = [
            ActorInWords(
                side=sides.get(side, side),
                role=roles.get(role, role),
                title=spec.titles.get(side, ""),
            )
            for side, role in spec.actors.items()
        ]
        when_risk = None
        if spec.deadline_when_risk != spec.deadline:
            when_risk = rule_in_words(spec.deadline_when_risk, wording="sentence")
        found.append(
            StepInWords(
                spec=spec,
                actors=actors,
                deadline=rule_in_words(spec.deadline, wording="sentence"),
                deadline_when_risk=when_risk,
            )
        )
    return found


# --- the policy timeline preview (the page and `manage.py policy_timeline`) -------------


class TimelineInputError(ValueError):
    """Input the timeline preview cannot use; str(error) says what is valid."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class PolicyTimeline:
    version: PolicyVersion
    policy: PolicySpec
    route: RouteSpec
    nation: str
    risk: bool
    start: dt.datetime
    entries: list[TimelineEntry]

    @property
    def nation_name(self) -> str:
        return NATIONS[self.nation][1]


def timeline_nation(nation: str) -> str:
    """The nation, checked; TimelineInputError names the valid ones."""
    if nation not in NATIONS:
        raise TimelineInputError(
            f"Unknown nation {nation!r}. Use one of: {', '.join(NATIONS)}.", field="nation"
        )
    return nation


def timeline_route(policy: PolicySpec, slug: str | None) -> RouteSpec:
    """The route with this slug (the policy's first when None); TimelineInputError names the
    valid ones."""
    if slug is None:
        return policy.standard_route
    try:
        return policy.route(slug)
    except KeyError:
        routes = ", ".join(r.slug for r in policy.routes)
        raise TimelineInputError(
            f"Policy {policy.slug!r} has no route {slug!r}. Routes: {routes}.", field="route"
        ) from None


def policy_timeline(
    *,
    version: PolicyVersion,
    route: str | None,
    nation: str,
    start: dt.datetime,
    risk: bool,
) -> PolicyTimeline:
    """What falls due when, if every step of the route runs to its deadline: the case raised
    at start (aware), the nation's bank holidays counted (no closure days)."""
    nation = timeline_nation(nation)
    policy = policy_spec(version)
    route_spec = timeline_route(policy, route)
    entries = timeline(route_spec.steps, start=start, calendar=WorkingCalendar(nation), risk=risk)
    return PolicyTimeline(
        version=version,
        policy=policy,
        route=route_spec,
        nation=nation,
        risk=risk,
        start=start,
        entries=entries,
    )
