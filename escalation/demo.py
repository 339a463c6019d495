"""Demo data: four partnerships, each adopting one of the presets (PARTNERSHIPS says which),
with people in every role and open cases at every step. The same sign-ins every time; running it again adds nothing.

Cases are raised through the real transitions, at moments in the past (time-machine moves the
clock while each one is written), so their history, deadlines and outbox are what the product
itself would have made.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from typing import Any

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from agencies.calendars import LONDON, WorkingCalendar
from agencies.enums import AgencyKind, Nation, Role
from agencies.models import Agency, ClosureDay, Membership, Partnership
from agencies.selectors import partnership_calendar
from escalation.domain import (
    case_agree_resolution,
    case_escalate,
    case_raise,
    case_resolve,
    case_withdraw,
    step_record_outcome,
)
from escalation.domain.policies import load_presets
from escalation.enums import CaseStatus, LearningTheme, Side, SubjectKind
from escalation.models import Case, Policy, ResolutionProposal
from escalation.policy import record_fields
from escalation.queries.policies import adopted_version, case_route, policy_spec
from escalation.queries.steps import step_sides

DEMO_PASSWORD = "resolve-demo-2026"
AGENCY_ROLES = (Role.PRACTITIONER, Role.LINE_MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD)
BOARD_ROLES = (Role.STRATEGIC_MANAGER, Role.BOARD_STAFF, Role.PARTNERSHIP_ADMIN)


@dataclass(frozen=True)
class DemoPartnership:
    code: str
    name: str
    nation: str
    policy: str
    agencies: tuple[tuple[str, str, str], ...]  # (short name, full name, kind)


PARTNERSHIPS = (
    DemoPartnership(
        "oxf",
        "Oxbridge Safeguarding Children Partnership",
        Nation.ENGLAND,
        "oscb-children",
        (
            ("health", "Oxbridge Health NHS Trust", AgencyKind.HEALTH),
            ("social", "Oxbridge Children's Social Care", AgencyKind.CHILDRENS_SOCIAL_CARE),
            ("police", "Thames Valley Police (demo)", AgencyKind.POLICE),
            ("school", "Riverside Primary School", AgencyKind.SCHOOL),
        ),
    ),
    DemoPartnership(
        "gwe",
        "Gwent Valleys Safeguarding Adults Board",
        Nation.WALES,
        "sab-adults",
        (
            ("health", "Valleys University Health Board", AgencyKind.HEALTH),
            ("social", "Valleys Adult Social Care", AgencyKind.ADULT_SOCIAL_CARE),
            ("housing", "Valleys Housing Association", AgencyKind.HOUSING),
            ("probation", "Valleys Probation Service", AgencyKind.PROBATION),
        ),
    ),
    DemoPartnership(
        "sou",
        "Southern Trust Safeguarding Adults Board",
        Nation.NORTHERN_IRELAND,
        "ssab-adults",
        (
            ("health", "Southern Health and Social Care Trust", AgencyKind.HEALTH),
            ("police", "Southern District Police (demo)", AgencyKind.POLICE),
            ("housing", "Southern Housing Executive", AgencyKind.HOUSING),
            ("vcf", "Harbour Community Care", AgencyKind.VOLUNTARY),
        ),
    ),
    DemoPartnership(
        "fou",
        "Four Lochs Safeguarding Children Boards",
        Nation.SCOTLAND,
        "4lscb-children",
        (
            ("health", "Four Lochs Health Board", AgencyKind.HEALTH),
            ("social", "Four Lochs Children's Services", AgencyKind.CHILDRENS_SOCIAL_CARE),
            ("police", "Four Lochs Police Division", AgencyKind.POLICE),
            ("school", "Lochside Academy", AgencyKind.SCHOOL),
        ),
    ),
)

DISAGREEMENTS = (
    ("The referral was closed without an assessment.", "The child is left without support."),
    ("The strategy meeting was not held.", "Risk at home has not been assessed."),
    ("Information from the school was not shared.", "The plan misses what school sees daily."),
    ("The care package was withdrawn at short notice.", "The person is alone most days."),
)


def _username(code: str, short: str, role: str) -> str:
    return f"{code}-{short}-{role.replace('_', '-')}"


def _telephone(username: str) -> str:
    """A telephone number in Ofcom's range kept for drama (01632 960000 to 960999), so that
    no demo number reaches anyone; the same for a person at every seeding."""
    return f"01632 960{zlib.crc32(username.encode()) % 1000:03d}"


def _person(username: str, first: str, last: str, password_hash: str) -> Any:
    user, _ = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.invalid",
            # One hash for every demo person: they share a published password anyway, and
            # hashing it once keeps `make demo` quick.
            "password": password_hash,
        },
    )
    return user


def _seed_partnership(spec: DemoPartnership, password_hash: str) -> Partnership:
    policy = Policy.objects.get(slug=spec.policy)
    partnership, _ = Partnership.objects.get_or_create(
        code=spec.code,
        defaults={"name": spec.name, "nation": spec.nation, "adopted_policy": policy},
    )
    ClosureDay.objects.get_or_create(
        partnership=partnership,
        date=dt.date(2026, 12, 29),
        defaults={"name": "Council closure day"},
    )
    everyone: list[tuple[str, str, str, tuple[str, ...]]] = [
        (short, name, kind, AGENCY_ROLES) for short, name, kind in spec.agencies
    ]
    everyone.append(("board", f"{spec.name} team", AgencyKind.PARTNERSHIP, BOARD_ROLES))
    for short, name, kind, roles in everyone:
        agency, _ = Agency.objects.get_or_create(
            partnership=partnership, name=name, defaults={"kind": kind}
        )
        managers: dict[str, Membership] = {}
        for role in reversed(roles):
            label = Role(role).label
            user = _person(
                _username(spec.code, short, role), label.split()[0], short.title(), password_hash
            )
            membership, _ = Membership.objects.get_or_create(
                user=user,
                agency=agency,
                role=role,
                defaults={"job_title": label, "telephone": _telephone(user.username)},
            )
            managers[role] = membership
        if Role.PRACTITIONER in managers:
            managers[Role.PRACTITIONER].line_manager = managers[Role.LINE_MANAGER]
            managers[Role.PRACTITIONER].save()
            managers[Role.LINE_MANAGER].line_manager = managers[Role.SENIOR_MANAGER]
            managers[Role.LINE_MANAGER].save()
    return partnership


def _actor(case: Case, *, side: Side | None = None) -> Any:
    """Someone who acts at the case's current step, as the demo's people are laid out: for
    the first side that acts (or the first of `side`), its named person, the raiser for a
    challenging practitioner, the responding person for a responding one, else the first
    person in its role (in its agency, or anywhere in the partnership)."""
    step = case.current_step
    assert step is not None
    sides = step_sides(step, case=case)
    first = next((s for s in sides if s.side == side), sides[0]) if side else sides[0]
    if first.assignee is not None:
        return first.assignee
    if first.side == Side.CHALLENGING and first.role == Role.PRACTITIONER:
        return case.raised_by
    if first.side == Side.RESPONDING and first.role == Role.PRACTITIONER:
        return case.responding_person
    # One filter() call, so the role and the place are matched on the same membership.
    where: dict[str, Any] = (
        {"memberships__agency__partnership": case.partnership}
        if first.agency_id is None
        else {"memberships__agency_id": first.agency_id}
    )
    return get_user_model().objects.filter(memberships__role=first.role, **where).first()


def _raise(
    partnership: Partnership, n: int, *, at: dt.datetime, route: str | None, risk: bool
) -> Case:
    agencies = list(partnership.agencies.exclude(kind=AgencyKind.PARTNERSHIP).order_by("pk"))
    challenging, responding = agencies[n % len(agencies)], agencies[(n + 1) % len(agencies)]
    raiser = Membership.objects.get(agency=challenging, role=Role.PRACTITIONER).user
    responder = Membership.objects.get(agency=responding, role=Role.PRACTITIONER).user
    spec = policy_spec(adopted_version(partnership=partnership))
    route_spec = spec.route(route) if route else spec.standard_route
    details: dict[str, Any] = {}
    for question in route_spec.questions:
        if question.kind == "text":
            details[question.slug] = "Recorded in the demo"
        elif question.kind == "multiple":
            details[question.slug] = [question.options[0].slug]
        else:
            details[question.slug] = question.options[0].slug
    text, impact = DISAGREEMENTS[n % len(DISAGREEMENTS)]
    with time_machine.travel(at, tick=False):
        return case_raise(
            by=raiser,
            challenging_agency=challenging,
            responding_agency=responding,
            responding_professional=f"{responder.get_full_name()}, practitioner",
            responding_person=responder,
            subject_kind=SubjectKind.ADULT if spec.audience == "adults" else SubjectKind.CHILD,
            subject_initials="ABCDEFGHJKLMNPRSTW"[n % 18] + "ZXYWV"[n % 5],
            subject_age_band="26-64" if spec.audience == "adults" else "5-10",
            category=spec.categories[n % len(spec.categories)].slug,
            disagreement=text,
            impact=impact,
            risk_of_significant_harm=risk,
            route=route,
            route_details=details,
            challenging_record_number=f"{challenging.kind[:3].upper()}{1000 + n}",
        )


_DEMO_TEXT = (
    "Both agencies set out their concerns.",
    "Could not agree at this step.",
    "Escalate; both line managers told.",
)


def _demo_record(case: Case) -> dict[str, str]:
    """A record for the current step in its section's own fields (signatures are the
    service's to record)."""
    step = case.current_step
    assert step is not None
    fields = record_fields(policy_spec(case.policy_version), case_route(case).step(step.number))
    record: dict[str, str] = {}
    written = 0
    for f in fields:
        if f.kind == "long_text":
            record[f.slug] = _DEMO_TEXT[min(written, len(_DEMO_TEXT) - 1)]
            written += 1
        elif f.kind == "text":
            record[f.slug] = "A. Demo, Team Manager"
        elif f.kind == "email":
            record[f.slug] = "team.manager@example.org"
        elif f.kind == "phone":
            record[f.slug] = "01234 567890"
        elif f.kind == "yes_no":
            record[f.slug] = "no"
        elif f.kind == "date":
            record[f.slug] = timezone.localdate().isoformat()
    return record


def _write_record(case: Case, *, by: Any) -> Case:
    """The current step's record, written by one who acts at it, after a meeting."""
    return step_record_outcome(
        case=case,
        by=by,
        record=_demo_record(case),
        meeting_held=True,
        expected_version=case.version,
    )


def _climb(case: Case, to_step: int, *, at: dt.datetime) -> Case:
    minutes = 0
    while case.current_step is not None and case.current_step.number < to_step:
        minutes += 30
        with time_machine.travel(at + dt.timedelta(minutes=minutes), tick=False):
            actor = _actor(case)
            case = _write_record(case, by=actor)
            case = case_escalate(
                case=case, by=actor, reason="Not resolved", expected_version=case.version
            )
    return case


@transaction.atomic
def seed_demo() -> dict[str, Any]:
    """Create the demo (once) and describe it: its sign-ins and its cases."""
    load_presets()
    now = timezone.now().replace(microsecond=0)
    password_hash = make_password(DEMO_PASSWORD)
    for spec in PARTNERSHIPS:
        created = not Partnership.objects.filter(code=spec.code).exists()
        partnership = _seed_partnership(spec, password_hash)
        if created:
            _seed_cases(partnership, now=now)
    return describe_demo()


def _working_moment(
    calendar: WorkingCalendar, days_ago: int, n: int, now: dt.datetime
) -> dt.datetime:
    """A moment in office hours on the working day at or before `days_ago` days before now
    (09:00 plus n times 25 minutes, within the day), as a practitioner would raise a case."""
    day = timezone.localtime(now).date() - dt.timedelta(days=days_ago)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    minutes = 9 * 60 + (n * 25) % (7 * 60)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=LONDON)


def _working_moment_after(
    calendar: WorkingCalendar, earlier: dt.datetime, days_ago: int, n: int, now: dt.datetime
) -> dt.datetime:
    """As _working_moment, but never at or before `earlier`: when both fall on one working
    day (a weekend or holiday between them rolls back to it), an hour after `earlier`."""
    moment = _working_moment(calendar, days_ago, n, now)
    return moment if moment > earlier else earlier + dt.timedelta(hours=1)


def _seed_cases(partnership: Partnership, *, now: dt.datetime) -> None:
    spec = policy_spec(adopted_version(partnership=partnership))
    calendar = partnership_calendar(partnership=partnership)
    n = 0
    for route in spec.routes:
        ladder = route.ladder if route.slug == spec.standard_route.slug else route.ladder[:1]
        for step in ladder:
            for overdue in (False, True):
                n += 1
                start = _working_moment(calendar, 30 if overdue else 1, n, now)
                risk = (overdue and n % 4 == 0) or (spec.audience == "adults" and overdue)
                case = _raise(partnership, n, at=start, route=route.slug, risk=risk)
                _climb(case, step.number, at=start)
    # A resolved case and a withdrawn one.
    n += 1
    raised = _working_moment(calendar, 40, n, now)
    case = _raise(partnership, n, at=raised, route=None, risk=False)
    case = _climb(case, spec.standard_route.ladder[1].number, at=raised)
    climbed = case.current_step.started_at if case.current_step else raised
    resolved = _working_moment_after(calendar, climbed, 35, n + 3, now)
    with time_machine.travel(resolved, tick=False):
        actor = _actor(case)
        case = _write_record(case, by=actor)
        case = case_resolve(
            case=case,
            by=actor,
            learning="Threshold guidance was read differently by the two agencies.",
            themes=[LearningTheme.THRESHOLDS, LearningTheme.COMMUNICATION],
            debrief_recommended=True,
            expected_version=case.version,
        )
    if case.is_open:  # proposed by the other side: the raiser agrees an hour later
        with time_machine.travel(resolved + dt.timedelta(hours=1), tick=False):
            case_agree_resolution(case=case, by=case.raised_by, expected_version=case.version)
    # A case whose resolution the responding agency proposed, waiting for the raiser to agree.
    n += 1
    raised = _working_moment(calendar, 3, n, now)
    case = _raise(partnership, n, at=raised, route=None, risk=False)
    proposed = _working_moment_after(calendar, raised, 2, n + 3, now)
    with time_machine.travel(proposed, tick=False):
        actor = _actor(case, side=Side.RESPONDING)
        case = _write_record(case, by=actor)
        case_resolve(
            case=case,
            by=actor,
            learning="Both teams now share the same contact point for the family.",
            themes=[LearningTheme.COMMUNICATION],
            expected_version=case.version,
        )
    n += 1
    raised = _working_moment(calendar, 10, n, now)
    case = _raise(partnership, n, at=raised, route=None, risk=False)
    withdrawn = _working_moment_after(calendar, raised, 9, n + 3, now)
    with time_machine.travel(withdrawn, tick=False):
        case_withdraw(
            case=case, by=case.raised_by, reason="Resolved by a phone call", expected_version=1
        )


def describe_demo() -> dict[str, Any]:
    codes = [p.code for p in PARTNERSHIPS]
    users = []
    for membership in (
        Membership.objects.filter(agency__partnership__code__in=codes)
        .select_related("user", "agency__partnership")
        .order_by("agency__partnership__code", "agency__name", "role")
    ):
        users.append(
            {
                "username": membership.user.username,
                "password": DEMO_PASSWORD,
                "role": membership.role,
                "agency": membership.agency.name,
                "partnership": membership.agency.partnership.name,
            }
        )
    awaiting = set(
        ResolutionProposal.objects.filter(
            case__partnership__code__in=codes, case__status=CaseStatus.OPEN, answer=""
        ).values_list("case_id", "step_id")
    )
    cases = []
    for case in (
        Case.objects.filter(partnership__code__in=codes)
        .select_related("partnership", "policy_version__policy", "current_step")
        .select_related("challenging_agency", "responding_agency", "raised_by")
        .order_by("reference")
    ):
        route = case_route(case)
        cases.append(
            {
                "reference": case.reference,
                "partnership": case.partnership.name,
                "policy": case.policy_version.policy.slug,
                "route": route.slug,
                "step": case.current_step.number if case.current_step else None,
                "status": case.status,
                "risk": case.risk_of_significant_harm,
                "overdue": bool(
                    case.is_open
                    and case.current_step
                    and case.current_step.due_at
                    and case.current_step.due_at < timezone.now()
                ),
                "agencies": [case.challenging_agency.name, case.responding_agency.name],
                "raised_by": case.raised_by.username,
                "awaiting_agreement": (case.pk, case.current_step_id) in awaiting,
            }
        )
    return {"users": users, "cases": cases}
