"""A case's written record as the pro forma shows it: one section per step of the route, each
field taken from the policy's `record_sections`, its value from the step's record.

Pure reads: nothing here writes. proforma/services.py renders what this builds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agencies.enums import PARTNERSHIP_ROLES, Role
from agencies.models import Membership
from escalation.enums import StepOutcome
from escalation.errors import InvalidInput
from escalation.models import Case, CaseStep
from escalation.policy import PolicySpec, RouteSpec, StepSpec
from escalation.queries.policies import case_route, policy_spec
from escalation.queries.steps import step_sides
from proforma.dates import uk_day, uk_moment

YES_WORDS = frozenset({"yes", "y", "true", "1", "on"})
NO_WORDS = frozenset({"no", "n", "false", "0", "off"})


@dataclass(frozen=True)
class Signature:
    """Who confirmed a step's record and when: taken from the step, never typed."""

    name: str
    role: str
    agency: str
    at: dt.datetime

    @property
    def text(self) -> str:
        where = f", {self.agency}" if self.agency else ""
        return f"{self.name} ({self.role}{where}), confirmed in Resolve on {uk_moment(self.at)}"


@dataclass(frozen=True)
class FieldView:
    slug: str
    label: str
    kind: str  # text, long_text, yes_no, date, email, phone, signature
    value: str = ""
    answer: bool | None = None  # yes_no only
    signature: Signature | None = None  # signature only

    @property
    def is_blank(self) -> bool:
        return not self.value and self.answer is None and self.signature is None


@dataclass(frozen=True)
class SectionView:
    number: int  # the step's number: section N is the record of step N
    title: str
    step_name: str
    status: str
    fields: tuple[FieldView, ...]
    signature: Signature | None  # shown once at the foot when no field is a signature
    has_signature_field: bool
    meeting_held: bool | None = None
    extras: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def is_blank(self) -> bool:
        return all(f.is_blank for f in self.fields) and not self.extras


@dataclass(frozen=True)
class CaseSummary:
    """The case as it was raised, printed before the steps: what the disagreement is about,
    its impact, the risk, the route, the two agencies and the policy it runs on."""

    category: str
    disagreement: str
    impact: str
    risk_of_significant_harm: bool
    route: str
    challenging_agency: str
    responding_agency: str
    responding_professional: str
    policy: str  # the policy's name and the version the case keeps, "..., version 2"
    raised: str  # "5 December 2026, 4:30pm"


@dataclass(frozen=True)
class RecordView:
    case: Case
    partnership: str
    policy_name: str
    record_name: str  # the policy's own name for its written record
    title: str
    summary: CaseSummary
    sections: tuple[SectionView, ...]
    whole: bool


def _summary(case: Case, spec: PolicySpec, route: RouteSpec) -> CaseSummary:
    try:
        category = spec.category(case.category).name
    except KeyError:  # a category the version no longer lists: show what the case holds
        category = case.category
    return CaseSummary(
        category=category,
        disagreement=case.disagreement,
        impact=case.impact,
        risk_of_significant_harm=case.risk_of_significant_harm,
        route=route.name,
        challenging_agency=case.challenging_agency.name,
        responding_agency=case.responding_agency.name,
        responding_professional=case.responding_professional,
        policy=f"{spec.name}, version {case.policy_version.number}",
        raised=uk_moment(case.raised_at),
    )


def _lookup(record: Mapping[str, Any], slug: str) -> tuple[str | None, str]:
    """The record's value for a field, by the field's slug (the only key the service takes)."""
    if record.get(slug) is not None:
        return slug, str(record[slug]).strip()
    return None, ""


def _answer(value: str) -> bool | None:
    word = value.strip().lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def _seats_of_signers(case: Case, steps: Sequence[CaseStep]) -> dict[int, list[Membership]]:
    """Every seat, in the case's partnership, of the people who confirmed a step's record:
    one query for the whole record, by user id, each list in seat order."""
    users = {s.recorded_by_id for s in steps if s.recorded_by_id is not None}
    seats: dict[int, list[Membership]] = {u: [] for u in users}
    if users:
        for m in (
            Membership.objects.filter(user_id__in=users, agency__partnership_id=case.partnership_id)
            .select_related("agency")
            .order_by("pk")
        ):
            seats[m.user_id].append(m)
    return seats


def _signer_role(case: Case, step: CaseStep, seats: Sequence[Membership]) -> tuple[str, str]:
    """The role and agency the person signed in: the seat that acts at the step where they
    have one, otherwise any seat they hold in the case's partnership."""
    acting = step_sides(step, case=case)
    agency_seats = {(a.agency_id, a.role) for a in acting if a.agency_id is not None}
    partnership_roles = {a.role for a in acting if a.agency_id is None}

    def fits(m: Membership) -> bool:
        if m.role in PARTNERSHIP_ROLES:
            return m.role in partnership_roles
        return (m.agency_id, m.role) in agency_seats

    chosen = next((m for m in seats if fits(m)), seats[0] if seats else None)
    if chosen is None:
        return "", ""
    return Role(chosen.role).label, chosen.agency.name


def signature_for(
    case: Case, step: CaseStep | None, seats: Mapping[int, Sequence[Membership]]
) -> Signature | None:
    """`seats` as _seats_of_signers gives them."""
    if step is None or step.recorded_by is None or step.recorded_at is None:
        return None
    user = step.recorded_by
    role, agency = _signer_role(case, step, seats.get(user.pk, ()))
    return Signature(
        name=user.get_full_name() or user.get_username(),
        role=role or "Resolve user",
        agency=agency,
        at=step.recorded_at,
    )


def _status(step: CaseStep | None, spec: StepSpec) -> str:
    if step is None:
        return "Not reached: this section is blank."
    if step.completed_at is None:
        due = f", due {uk_moment(step.due_at)}" if step.due_at else ""
        return f"In progress since {uk_day(step.started_at)}{due}."
    when = uk_day(step.completed_at)
    outcome = step.outcome
    if outcome == StepOutcome.ESCALATED:
        return f"Not resolved at this step: escalated on {when}."
    if outcome == StepOutcome.SKIPPED:
        return f"Skipped on {when} (risk of significant harm)."
    if outcome == StepOutcome.RESOLVED:
        return f"Resolved at this step on {when}."
    if outcome == StepOutcome.WITHDRAWN:
        return f"Case withdrawn on {when}."
    if outcome == StepOutcome.MET:
        return f"Done on {when}."
    if outcome == StepOutcome.PASSED:
        return f"Not recorded as done: the case moved on past it on {when}."
    return f"Completed on {when}."


def _section(
    case: Case,
    spec: StepSpec,
    step: CaseStep | None,
    sections: Mapping[str, Any],
    seats: Mapping[int, Sequence[Membership]],
) -> SectionView:
    definition: Mapping[str, Any] = sections.get(spec.record_section) or {}
    record: Mapping[str, Any] = (step.record if step is not None else None) or {}
    signature = signature_for(case, step, seats)
    used: set[str] = set()
    fields: list[FieldView] = []
    definitions: Sequence[Mapping[str, Any]] = definition.get("fields") or ()
    if not definitions:  # a policy without a section for this step: the record as written
        definitions = [
            {
                "slug": k,
                "label": k.replace("_", " ").replace("-", " ").capitalize(),
                "kind": "long_text",
            }
            for k in record
        ]
    for item in definitions:
        kind = item["kind"]
        key, value = _lookup(record, item["slug"])
        if key:
            used.add(key)
        if kind == "signature":
            fields.append(FieldView(item["slug"], item["label"], kind, signature=signature))
            continue
        if kind == "date" and not value and signature is not None:
            value = uk_day(signature.at)  # the day the record was confirmed
        answer = _answer(value) if kind == "yes_no" else None
        fields.append(
            FieldView(
                item["slug"],
                item["label"],
                kind,
                value=value if answer is None else "",
                answer=answer,
            )
        )
    extras = tuple(
        (k.replace("_", " ").replace("-", " ").capitalize(), str(v))
        for k, v in record.items()
        if k not in used and v not in (None, "")
    )
    return SectionView(
        number=spec.number,
        title=definition.get("title") or spec.name,
        step_name=spec.name,
        status=_status(step, spec),
        fields=tuple(fields),
        signature=signature,
        has_signature_field=any(f.kind == "signature" for f in fields),
        meeting_held=step.meeting_held if step is not None else None,
        extras=extras,
    )


def record_view(*, case: Case, section: int | None) -> RecordView:
    """The record of one section (the step numbered `section`) or of every step of the
    case's route, in the route's order. A step not reached yet gives blank boxes."""
    spec = policy_spec(case.policy_version)
    route = case_route(case)
    steps = {s.number: s for s in case.steps.select_related("recorded_by").order_by("number")}
    chosen = sorted(route.steps, key=lambda s: s.number)
    if section is not None:
        chosen = [s for s in route.steps if s.number == section]
        if not chosen:
            known = ", ".join(str(s.number) for s in route.steps)
            raise InvalidInput(
                f"Case {case.reference} has no section {section}: its sections are {known}.",
                field="section",
            )
    seats = _seats_of_signers(case, [steps[s.number] for s in chosen if s.number in steps])
    views = tuple(
        _section(case, s, steps.get(s.number), spec.record_sections, seats) for s in chosen
    )
    what = "whole record" if section is None else views[0].title
    return RecordView(
        case=case,
        partnership=case.partnership.name,
        policy_name=spec.name,
        record_name=spec.record_name,
        title=f"{spec.record_name}, case {case.reference}: {what}",
        summary=_summary(case, spec, route),
        sections=views,
        whole=section is None,
    )
