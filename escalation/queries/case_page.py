"""Reads for the case page and its action pages: nothing here writes.

The case's steps as a timeline (done, current, to come, from the policy), each step's written
record with the policy's labels, the history of changes (django-simple-history), and the
words for deadline rules and time left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from agencies.calendars import LONDON, WorkingCalendar
from agencies.enums import PARTNERSHIP_ROLES, Role
from agencies.models import Membership
from agencies.selectors import partnership_calendar
from escalation.enums import Side, StepOutcome
from escalation.models import Case, CaseAccess, CaseStep, Learning
from escalation.policy import PolicySpec, RecordField, RouteSpec, StepSpec, record_fields
from escalation.queries.cases import case_steps
from escalation.queries.policies import case_route, policy_spec, rule_in_words
from escalation.queries.steps import step_people, step_sides

SIDE_WORDS = {
    Side.CHALLENGING: "Challenging agency",
    Side.RESPONDING: "Responding agency",
    Side.PARTNERSHIP: "Partnership",
}


def person_name(user: Any) -> str:
    if user is None:
        return "Not recorded"
    return str(user.get_full_name() or user.username)


def role_words(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role.replace("_", " ").capitalize()


# --- deadline rules and time left --------------------------------------------------------


def step_deadline_in_words(spec: StepSpec, *, risk: bool) -> str:
    """The step's deadline rule for this case, and the other rule where risk changes it.

    E.g. "5 working days; same working day when at risk".
    """
    normal = rule_in_words(spec.deadline, wording="short")
    at_risk = rule_in_words(spec.deadline_when_risk, wording="short")
    if normal == at_risk:
        return normal
    if risk:
        return f"{at_risk} (at risk of significant harm; otherwise {normal})"
    return f"{normal}; {at_risk} when at risk"


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def _working_days(first: dt.date, last: dt.date, calendar: WorkingCalendar) -> int:
    """Working days from first to last, both included."""
    count, day = 0, first
    while day <= last:
        if calendar.is_working_day(day):
            count += 1
        day += dt.timedelta(days=1)
    return count


def time_left_in_words(
    due_at: dt.datetime | None, *, now: dt.datetime, calendar: WorkingCalendar
) -> str:
    """How long is left before a due moment: hours on its own day, else working days.

    "3 hours left (due today)", "4 working days left after today" (whole working days after
    today, while today's working day still runs), "Overdue by 2 working days" (working days
    since the due day), "Overdue by 5 hours", "No deadline".
    """
    if due_at is None:
        return "No deadline"
    today = now.astimezone(LONDON).date()
    due_day = due_at.astimezone(LONDON).date()
    if due_at > now:
        if due_day == today:
            hours = int((due_at - now).total_seconds() // 3600)
            left = "less than an hour" if hours == 0 else _plural(hours, "hour")
            return f"{left} left (due today)"
        counts_today = calendar.is_working_day(today) and (
            now.astimezone(LONDON).time() < calendar.close_of_business
        )
        days = _working_days(today + dt.timedelta(days=1), due_day, calendar)
        if days == 0:
            hours = int((due_at - now).total_seconds() // 3600)
            return f"{_plural(hours, 'hour')} left"
        return f"{_plural(days, 'working day')} left" + (" after today" if counts_today else "")
    late_days = _working_days(due_day + dt.timedelta(days=1), today, calendar)
    if late_days:
        return f"Overdue by {_plural(late_days, 'working day')}"
    hours = int((now - due_at).total_seconds() // 3600)
    return "Overdue by less than an hour" if hours == 0 else f"Overdue by {_plural(hours, 'hour')}"


# --- who acts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    side: str  # in words, with the agency's name
    who: str  # job titles in the policy's words, else the role level, and any assignee


def _side_words(case: Case, side: str) -> str:
    if side == Side.CHALLENGING:
        return f"{SIDE_WORDS[Side.CHALLENGING]} ({case.challenging_agency.name})"
    if side == Side.RESPONDING:
        return f"{SIDE_WORDS[Side.RESPONDING]} ({case.responding_agency.name})"
    return f"{SIDE_WORDS[Side.PARTNERSHIP]} ({case.partnership.name})"


def spec_actors(case: Case, spec: StepSpec) -> list[Actor]:
    """Who acts at a step of the policy, side by side, in the policy's words."""
    return [
        Actor(side=_side_words(case, side), who=spec.titles.get(side) or role_words(role))
        for side, role in spec.actors.items()
    ]


def step_actors(case: Case, step: CaseStep, spec: StepSpec | None) -> list[Actor]:
    """Who acts at a step the case has reached: the roles copied when it started, in the
    policy's words where it has them, and the person named for a side where one was."""
    actors = []
    for acting in step_sides(step, case=case):
        who = (spec.titles.get(acting.side) if spec else "") or role_words(acting.role)
        if acting.assignee is not None:
            who = f"{person_name(acting.assignee)} (named for this step); the role: {who}"
        actors.append(Actor(side=_side_words(case, acting.side), who=who))
    return actors


@dataclass(frozen=True)
class NamedPerson:
    """A person who acts at a step, with how to reach them."""

    name: str
    side: str  # in words, with the agency's name
    role: str  # their job title in the side's agency, else the role level
    agency: str
    telephone: str
    email: str


def step_named_people(case: Case, step: CaseStep) -> list[NamedPerson]:
    """The people who act at a step (escalation.queries.steps.step_people), each with their
    role, agency, telephone and e-mail from their membership of the agency they act for."""
    from agencies.models import Membership

    people = []
    for acting, person in step_people(step, case=case):
        seats = Membership.objects.filter(user=person).select_related("agency")
        if acting.agency_id is not None:
            seats = seats.filter(agency_id=acting.agency_id)
        else:
            seats = seats.filter(agency__partnership_id=case.partnership_id)
        seat = seats.filter(role=acting.role).first() or seats.first()
        people.append(
            NamedPerson(
                name=person_name(person),
                side=_side_words(case, acting.side),
                role=(seat.job_title or role_words(seat.role)) if seat else role_words(acting.role),
                agency=seat.agency.name if seat else "",
                telephone=seat.telephone if seat else "",
                email=str(person.email or ""),
            )
        )
    return people


# --- the written record --------------------------------------------------------------------


def record_section_title(spec: PolicySpec, step_spec: StepSpec | None) -> str:
    section = spec.record_sections.get(step_spec.record_section) if step_spec else None
    return str(section.get("title", "")) if section else ""


@dataclass(frozen=True)
class RecordRow:
    label: str
    value: str


def _shown(value: Any, kind: str) -> str:
    text = str(value).strip()
    if kind == "yes_no":
        return {"yes": "Yes", "no": "No", "true": "Yes", "false": "No"}.get(text.lower(), text)
    if kind == "date":
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return text
        return f"{day:%a} {day.day} {day:%b %Y}"
    return text


def signed_by(step: CaseStep) -> str:
    """Who confirmed the step's record and when: its signature, as the service recorded it."""
    if step.recorded_by is None or step.recorded_at is None:
        return ""
    when = timezone.localtime(step.recorded_at)
    return f"{person_name(step.recorded_by)}, confirmed in Resolve at {when:%H:%M on %a %d %b %Y}"


def record_rows(
    fields: Sequence[RecordField], record: Mapping[str, Any], *, signature: str = ""
) -> list[RecordRow]:
    """A step's written record as label and value, in the policy's order; a signature field
    shows who confirmed the record (`signature`), never typed text."""
    rows = []
    for f in fields:
        if f.kind == "signature":
            if signature:
                rows.append(RecordRow(label=f.label, value=signature))
            continue
        value = record.get(f.slug)
        if value not in (None, ""):
            rows.append(RecordRow(label=f.label, value=_shown(value, f.kind)))
    return rows


# --- the timeline ----------------------------------------------------------------------------

State = Literal["done", "current", "to_come"]

_OUTCOME_TAGS: dict[str, str] = {
    StepOutcome.RESOLVED: "govuk-tag--green",
    StepOutcome.MET: "govuk-tag--green",
    StepOutcome.ESCALATED: "govuk-tag--purple",
    StepOutcome.SKIPPED: "govuk-tag--yellow",
    StepOutcome.WITHDRAWN: "govuk-tag--grey",
    StepOutcome.PASSED: "govuk-tag--grey",
}


@dataclass(frozen=True)
class TimelineStep:
    number: int
    name: str
    state: State
    is_target: bool = False
    step: CaseStep | None = None
    spec: StepSpec | None = None
    actors: list[Actor] = field(default_factory=list)
    deadline: str = ""  # the rule in words (steps to come)
    time_left: str = ""  # (the current step and an open target)
    overdue: bool = False
    record_title: str = ""
    record: list[RecordRow] = field(default_factory=list)
    people: list[NamedPerson] = field(default_factory=list)  # (the current step)

    @property
    def anchor(self) -> str:
        return f"step-{self.number}"

    @property
    def tag(self) -> tuple[str, str]:
        """The GOV.UK tag's colour class and text for the step's state."""
        if self.state == "to_come":
            return "govuk-tag--grey", "To come"
        if self.state == "current":
            if self.overdue:
                return "govuk-tag--red", "Overdue"
            return "govuk-tag--blue", "Target, open" if self.is_target else "Current step"
        outcome = self.step.outcome if self.step else ""
        return _OUTCOME_TAGS.get(outcome, "govuk-tag--grey"), outcome_words(outcome)

    @property
    def completed_by(self) -> str:
        return person_name(self.step.completed_by) if self.step else ""

    @property
    def recorded_by(self) -> str:
        return person_name(self.step.recorded_by) if self.step else ""


def _spec_or_none(route: RouteSpec, number: int) -> StepSpec | None:
    try:
        return route.step(number)
    except KeyError:
        return None


def case_timeline(*, case: Case, now: dt.datetime | None = None) -> list[TimelineStep]:
    """The case's steps in order: those it has lived (done or current, with their record),
    then, while it is open, the steps still to come on its route with their deadline rules."""
    now = now or timezone.now()
    spec = policy_spec(case.policy_version)
    route = case_route(case)
    calendar = partnership_calendar(partnership=case.partnership)
    entries: list[TimelineStep] = []
    reached = set()
    for step in case_steps(case=case):
        reached.add(step.number)
        step_spec = _spec_or_none(route, step.number)
        is_open = step.completed_at is None
        fields = record_fields(spec, step_spec)
        entries.append(
            TimelineStep(
                number=step.number,
                name=step.name,
                state="current" if is_open else "done",
                is_target=step.is_target,
                step=step,
                spec=step_spec,
                actors=step_actors(case, step, step_spec),
                deadline=step_deadline_in_words(step_spec, risk=case.risk_of_significant_harm)
                if step_spec
                else "",
                time_left=time_left_in_words(step.due_at, now=now, calendar=calendar)
                if is_open
                else "",
                overdue=bool(is_open and step.due_at is not None and step.due_at < now),
                record_title=record_section_title(spec, step_spec),
                record=record_rows(fields, step.record or {}, signature=signed_by(step)),
                people=step_named_people(case, step) if is_open and case.is_open else [],
            )
        )
    if case.is_open:
        for step_spec in route.steps:
            if step_spec.number in reached or step_spec.target:
                continue
            entries.append(
                TimelineStep(
                    number=step_spec.number,
                    name=step_spec.name,
                    state="to_come",
                    spec=step_spec,
                    actors=spec_actors(case, step_spec),
                    deadline=step_deadline_in_words(step_spec, risk=case.risk_of_significant_harm),
                )
            )
    entries.sort(key=lambda e: e.number)
    return entries


def step_is_overdue(case: Case, now: dt.datetime | None = None) -> bool:
    """The open case's current step is past its due moment: it may be chased."""
    step = case.current_step
    now = now or timezone.now()
    return bool(
        case.is_open
        and step is not None
        and step.completed_at is None
        and step.due_at is not None
        and step.due_at < now
    )


def step_time_left(case: Case) -> str:
    """The current step's time left in words ("Overdue by 2 working days")."""
    step = case.current_step
    if step is None:
        return ""
    calendar = partnership_calendar(partnership=case.partnership)
    return time_left_in_words(step.due_at, now=timezone.now(), calendar=calendar)


def case_open_target(*, case: Case) -> CaseStep | None:
    """The step 0 target still open beside the current step, if any."""
    if not case.is_open:
        return None
    return case.steps.filter(is_target=True, completed_at__isnull=True).first()


# --- the summary -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str


def case_summary(*, case: Case) -> dict[str, Any]:
    """What the summary list shows beside the case's own fields: the policy's names for the
    category and route, and the answers a special route asked for."""
    spec = policy_spec(case.policy_version)
    route = case_route(case)
    try:
        category = spec.category(case.category).name
    except KeyError:
        category = case.category
    answers = []
    details = case.route_details or {}
    for question in route.questions:
        value = details.get(question.slug)
        if value in (None, "", []):
            continue
        names = {o.slug: o.name for o in question.options}
        if isinstance(value, list | tuple):
            shown = ", ".join(names.get(str(v), str(v)) for v in value)
        else:
            shown = names.get(str(value), str(value))
        answers.append(Answer(question=question.label, answer=shown))
    return {
        "policy": spec,
        "route": route,
        "category_name": category,
        "route_answers": answers,
        "is_standard_route": route.slug == spec.standard_route.slug,
    }


def step_spec_of(case: Case, step: CaseStep | None) -> StepSpec | None:
    return _spec_or_none(case_route(case), step.number) if step is not None else None


def next_step_spec(case: Case) -> StepSpec | None:
    step = case.current_step
    if step is None:
        return None
    return case_route(case).step_after(step.number)


# --- history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    who: str
    what: str  # "Case" or the step's name
    change: str


_TYPE_WORDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def case_history(*, case: Case) -> list[HistoryRow]:
    """Every change to the case and its steps (django-simple-history), newest first, with who
    made it and why: one row of the case per transition (escalation.domain saves the case
    once with a history row in each), and a row per change to a step.
    """
    rows: list[tuple[dt.datetime, int, HistoryRow]] = []
    for h in Case.history.filter(id=case.pk).select_related("history_user"):
        reason = h.history_change_reason or _TYPE_WORDS.get(h.history_type, "Changed")
        rows.append(
            (
                h.history_date,
                h.history_id,
                HistoryRow(h.history_date, person_name(h.history_user), "Case", reason),
            )
        )
    for h in CaseStep.history.filter(case_id=case.pk).select_related("history_user"):
        reason = h.history_change_reason or _TYPE_WORDS.get(h.history_type, "Changed")
        rows.append(
            (
                h.history_date,
                h.history_id,
                HistoryRow(h.history_date, person_name(h.history_user), h.name, reason),
            )
        )
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    shown = [row for _, _, row in rows]
    return shown


# --- people for reassignment ------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    pk: int
    label: str


def reassign_sides(*, case: Case, user: Any | None = None) -> list[tuple[str, str]]:
    """The sides whose actor can be named at the current step: (side, words). With `user`,
    only the sides that person works for: only a person of the acting side names who acts
    for it (escalation.rules.works_for_side)."""
    from escalation.rules import works_for_side

    step = case.current_step
    if step is None:
        return []
    return [
        (str(acting.side), _side_words(case, acting.side))
        for acting in step_sides(step, case=case)
        if acting.side != Side.PARTNERSHIP  # the partnership's team shares its steps
        and (user is None or works_for_side(user, case, acting.side))
    ]


def reassign_candidates(*, case: Case, side: str) -> list[Candidate]:
    """Active people of the side's agency (not its partnership roles), named with their role."""
    agency = case.challenging_agency if side == Side.CHALLENGING else case.responding_agency
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__agency=agency,
            memberships__role__in=[r for r in Role if r not in PARTNERSHIP_ROLES],
        )
        .prefetch_related("memberships")
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
    people = []
    for user in users:
        roles = sorted(
            {role_words(m.role) for m in user.memberships.all() if m.agency_id == agency.pk}
        )
        people.append(Candidate(pk=user.pk, label=f"{person_name(user)}, {', '.join(roles)}"))
    return people


def outcome_words(outcome: str) -> str:
    try:
        return str(StepOutcome(outcome).label)
    except ValueError:
        return outcome


def reassign_person(*, case: Case, side: str, pk: int) -> Any | None:
    """The person chosen, if they are one of the people who may be named for that side."""
    if pk not in {c.pk for c in reassign_candidates(case=case, side=side)}:
        return None
    return get_user_model().objects.get(pk=pk)


def case_learning(*, case: Case) -> Any | None:
    """What should be learned, once the case is resolved."""
    return Learning.objects.filter(case=case).first()


# --- who has looked ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadRow:
    at: dt.datetime
    who: str
    agency: str  # the reader's agencies in the case's partnership, or "" (a platform administrator)
    what: str


@dataclass(frozen=True)
class CaseReads:
    rows: list[ReadRow]  # the newest, at most `limit`
    total: int  # every read of the case
    people: int  # how many different people read it


def case_reads(*, case: Case, limit: int = 20) -> CaseReads:
    """Who has looked at the case (the access log), newest first: who, their agency in the
    case's partnership, what they read and when. Three queries whatever the log's length."""
    log = CaseAccess.objects.filter(case=case)
    newest = list(log.select_related("user").order_by("-at", "-pk")[:limit])
    agencies: dict[int, set[str]] = {}
    for user_id, name in (
        Membership.objects.filter(
            user_id__in={a.user_id for a in newest}, agency__partnership_id=case.partnership_id
        )
        .values_list("user_id", "agency__name")
        .distinct()
    ):
        agencies.setdefault(user_id, set()).add(name)
    counts = log.aggregate(total=Count("pk"), people=Count("user", distinct=True))
    return CaseReads(
        rows=[
            ReadRow(
                at=a.at,
                who=person_name(a.user),
                agency=", ".join(sorted(agencies.get(a.user_id, ()))),
                what=a.what,
            )
            for a in newest
        ],
        total=counts["total"],
        people=counts["people"],
    )
