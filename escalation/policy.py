"""A policy version's data as typed, frozen values.

The data itself lives in YAML files (escalation/presets/) and in PolicyVersion.document;
escalation/domain/policy_files.py checks a document against the JSON Schema; this module turns a
checked document into the values the engine works with. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from escalation.deadlines import DeadlineRule

# The name of the written record of a policy version whose document names none (a version
# stored before `record_name` existed): the presets each name their own.
DEFAULT_RECORD_NAME = "Record of the professional disagreement"


@dataclass(frozen=True)
class Choice:
    slug: str
    name: str
    guidance: str = ""
    refuses: str = ""  # an answer that means the route cannot be used: why, in words


@dataclass(frozen=True)
class Question:
    """Something a special route asks when a case is raised on it."""

    slug: str
    label: str
    kind: str  # "choice", "multiple", "text"
    options: tuple[Choice, ...] = ()
    hint: str = ""
    required: bool = True


@dataclass(frozen=True)
class StepSpec:
    number: int
    name: str
    actors: Mapping[str, str]  # side ("challenging", "responding", "partnership") -> role level
    deadline: DeadlineRule
    deadline_when_risk: DeadlineRule
    titles: Mapping[str, str] = field(default_factory=dict)  # side -> job titles in words
    target: bool = False  # step 0: a requirement before step 1 that never delays it
    may_skip_when_risk: bool = False
    meeting_required: bool = False
    record_section: str = ""
    description: str = ""

    def rule(self, *, risk: bool) -> DeadlineRule:
        return self.deadline_when_risk if risk else self.deadline


@dataclass(frozen=True)
class RouteSpec:
    slug: str
    name: str
    description: str
    steps: tuple[StepSpec, ...]
    questions: tuple[Question, ...] = ()
    who_may_raise: str = ""  # in words, where the original limits who may use the route

    @property
    def target(self) -> StepSpec | None:
        """The step 0 target, where the policy has one."""
        return next((s for s in self.steps if s.target), None)

    @property
    def ladder(self) -> tuple[StepSpec, ...]:
        """The steps a case climbs, in order (step 0 left out)."""
        return tuple(s for s in self.steps if not s.target)

    def step(self, number: int) -> StepSpec:
        for spec in self.steps:
            if spec.number == number:
                return spec
        raise KeyError(f"route {self.slug} has no step {number}")

    def step_after(self, number: int) -> StepSpec | None:
        ladder = self.ladder
        for index, spec in enumerate(ladder):
            if spec.number == number:
                return ladder[index + 1] if index + 1 < len(ladder) else None
        raise KeyError(f"route {self.slug} has no step {number}")


@dataclass(frozen=True)
class PolicySpec:
    slug: str
    name: str
    version: int
    audience: str  # "children" or "adults"
    source: str
    categories: tuple[Choice, ...]
    routes: tuple[RouteSpec, ...]
    # The policy's own name for its written record, as its PDFs are titled.
    record_name: str = DEFAULT_RECORD_NAME
    # Who a case may be about (SubjectKind values); empty: as the audience says.
    subjects: tuple[str, ...] = ()
    not_for_this_procedure: tuple[Choice, ...] = ()
    record_sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    guidance: Mapping[str, Any] = field(default_factory=dict)

    def route(self, slug: str) -> RouteSpec:
        for route in self.routes:
            if route.slug == slug:
                return route
        raise KeyError(f"policy {self.slug} has no route {slug!r}")

    @property
    def standard_route(self) -> RouteSpec:
        return self.routes[0]

    def category(self, slug: str) -> Choice:
        for choice in self.categories:
            if choice.slug == slug:
                return choice
        raise KeyError(f"policy {self.slug} has no category {slug!r}")


def _choice(data: Mapping[str, Any]) -> Choice:
    return Choice(
        slug=data["slug"],
        name=data["name"],
        guidance=data.get("guidance", ""),
        refuses=data.get("refuses", ""),
    )


def _question(data: Mapping[str, Any]) -> Question:
    return Question(
        slug=data["slug"],
        label=data["label"],
        kind=data["kind"],
        options=tuple(_choice(o) for o in data.get("options", ())),
        hint=data.get("hint", ""),
        required=data.get("required", True),
    )


def _step(data: Mapping[str, Any]) -> StepSpec:
    deadline = DeadlineRule.from_data(data["deadline"])
    when_risk = data.get("deadline_when_risk")
    return StepSpec(
        number=data["number"],
        name=data["name"],
        actors=dict(data["actors"]),
        titles=dict(data.get("titles", {})),
        deadline=deadline,
        deadline_when_risk=DeadlineRule.from_data(when_risk) if when_risk else deadline,
        target=data.get("target", False),
        may_skip_when_risk=data.get("may_skip_when_risk", False),
        meeting_required=data.get("meeting_required", False),
        record_section=data.get("record_section", ""),
        description=data.get("description", ""),
    )


def _route(data: Mapping[str, Any]) -> RouteSpec:
    return RouteSpec(
        slug=data["slug"],
        name=data["name"],
        description=data.get("description", ""),
        steps=tuple(_step(s) for s in data["steps"]),
        questions=tuple(_question(q) for q in data.get("questions", ())),
        who_may_raise=data.get("who_may_raise", ""),
    )


def policy_from_document(document: Mapping[str, Any]) -> PolicySpec:
    """Turn a document that has passed the schema into a PolicySpec."""
    return PolicySpec(
        slug=document["slug"],
        name=document["name"],
        version=document["version"],
        audience=document["audience"],
        source=document.get("source", ""),
        categories=tuple(_choice(c) for c in document["categories"]),
        routes=tuple(_route(r) for r in document["routes"]),
        record_name=document.get("record_name") or DEFAULT_RECORD_NAME,
        subjects=tuple(document.get("subjects", ())),
        not_for_this_procedure=tuple(
            _choice(c) for c in document.get("not_for_this_procedure", ())
        ),
        record_sections=dict(document.get("record_sections", {})),
        guidance=dict(document.get("guidance", {})),
    )


# --- the written record of a step -----------------------------------------------------------

# The 5-part restorative record, in the words: the record a step gets when its policy
# names no section of its own.
RESTORATIVE_PARTS: tuple[tuple[str, str], ...] = (
    ("concerns", "Concerns and perspectives"),
    ("thoughts-and-feelings", "Thoughts and feelings"),
    ("impact", "Impact on the child, family and professionals"),
    ("ways-forward", "Ways forward"),
    ("agreed-actions", "Agreed actions and who must be told"),
)


def restorative_parts(audience: str) -> tuple[tuple[str, str], ...]:
    """The 5 parts, with "the adult" in an adults' policy."""
    if audience != "adults":
        return RESTORATIVE_PARTS
    return tuple(
        (slug, label.replace("the child,", "the adult,")) for slug, label in RESTORATIVE_PARTS
    )


@dataclass(frozen=True)
class RecordField:
    slug: str
    label: str
    kind: str  # long_text, text, phone, email, yes_no, date, signature


def record_fields(spec: PolicySpec, step_spec: StepSpec | None) -> list[RecordField]:
    """The fields of a step's record: its section of the policy's record, else the 5 parts."""
    section = spec.record_sections.get(step_spec.record_section) if step_spec else None
    if section and section.get("fields"):
        return [
            RecordField(slug=f["slug"], label=str(f["label"]).strip(), kind=f["kind"])
            for f in section["fields"]
        ]
    return [
        RecordField(slug=slug, label=label, kind="long_text")
        for slug, label in restorative_parts(spec.audience)
    ]
