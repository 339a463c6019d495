"""The named rules that both doors of the product check, with the words they refuse in.

A page's form shows these rules as a person types (escalation/pages/...), and the transition
that the page calls (escalation.domain) refuses the same input with the same message, so a
second door (a command, an import, the API) lets through nothing that a page refuses. Each
rule returns the message when the input breaks it, or None; `refuse` turns that into the
domain's InvalidInput.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from escalation.enums import AgeBand, SubjectKind
from escalation.errors import InvalidInput
from escalation.policy import Choice, PolicySpec, Question, RouteSpec


def refuse(message: str | None, *, field: str) -> None:
    if message is not None:
        raise InvalidInput(message, field=field)


# --- the person the disagreement is about --------------------------------------------------

INITIALS = re.compile(r"[A-Z]{1,4}")
INITIALS_MESSAGE = "Enter initials only: 1 to 4 letters, for example JD"


def normal_initials(text: str | None) -> str:
    """Initials as Resolve keeps them: without spaces or full stops, in capitals."""
    return re.sub(r"[\s.]", "", text or "").upper()


def initials_problem(initials: str) -> str | None:
    """`initials` as normal_initials gives them: 1 to 4 letters, nothing else."""
    return None if INITIALS.fullmatch(initials) else INITIALS_MESSAGE


# Age bands each kind of subject may have. A young person here is a care-experienced young
# person supported up to 25 (SubjectKind), so from 16.
BANDS_OF_KIND: dict[str, tuple[AgeBand, ...]] = {
    SubjectKind.CHILD: (
        AgeBand.UNDER_1,
        AgeBand.AGE_1_4,
        AgeBand.AGE_5_10,
        AgeBand.AGE_11_15,
        AgeBand.AGE_16_17,
    ),
    SubjectKind.YOUNG_PERSON: (AgeBand.AGE_16_17, AgeBand.AGE_18_25),
    SubjectKind.ADULT: (AgeBand.AGE_18_25, AgeBand.AGE_26_64, AgeBand.AGE_65_PLUS),
}
BAND_OF_ANOTHER_KIND = {
    SubjectKind.CHILD: "A child is under 18: select an age band under 18",
    SubjectKind.YOUNG_PERSON: (
        "A care-experienced young person is 16 to 25: select 16 to 17 or 18 to 25"
    ),
    SubjectKind.ADULT: "An adult is 18 or over: select an age band from 18",
}
UNKNOWN_BAND = "Select one of the age bands listed"


def kinds_for(spec: PolicySpec) -> list[str]:
    """Who a policy's cases may be about: its `subjects` where it names them (only Oxfordshire
    extends to care-experienced young people up to 25), otherwise by its audience."""
    if spec.subjects:
        return [SubjectKind(kind) for kind in spec.subjects]
    if spec.audience == "adults":
        return [SubjectKind.ADULT]
    return [SubjectKind.CHILD, SubjectKind.YOUNG_PERSON]


def age_band_problem(kind: str, band: str, *, kinds: list[str]) -> str | None:
    """The band must be one the policy's kinds of person may have (`kinds`: kinds_for), and
    one of this kind's (a child under 18, an adult from 18...)."""
    if band not in {b for k in kinds for b in BANDS_OF_KIND.get(k, ())}:
        return UNKNOWN_BAND
    if kind in BANDS_OF_KIND and band not in BANDS_OF_KIND[kind]:
        return BAND_OF_ANOTHER_KIND[SubjectKind(kind)]
    return None


# --- lengths ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """The longest text a field takes, and the words that refuse a longer one."""

    what: str  # the start of the message: "What you disagree with"
    characters: int

    @property
    def message(self) -> str:
        return f"{self.what} must be {self.characters:,} characters or fewer"

    def problem(self, text: str) -> str | None:
        return self.message if len(text) > self.characters else None


TEXT_MAX = 5000
ANSWER_MAX = 2000
PROFESSIONAL = Limit("The name and role", 200)
OUR_RECORD_NUMBER = Limit("Your agency's record number", 50)
THEIR_RECORD_NUMBER = Limit("The other agency's record number", 50)
DISAGREEMENT = Limit("What you disagree with", TEXT_MAX)
IMPACT = Limit("The impact", TEXT_MAX)
ANSWER = Limit("The answer", ANSWER_MAX)
CHASE_REASON = Limit("The reason for chasing", ANSWER_MAX)

# What a required text says when it is empty, on the page and in the transition.
ENTER = {
    "responding_professional": "Enter the name and role of the professional you disagree with",
    "disagreement": "Enter what you disagree with",
    "impact": "Enter the impact",
    "escalate": "Enter why the disagreement is not resolved at this step",
    "skip": "Enter why this step must be skipped",
    "withdraw": "Enter why the challenge is withdrawn",
    "resolve": "Enter what should be learned from this disagreement",
    "reassign": "Enter why the step is reassigned",
    "dispute": "Enter why you do not agree with this resolution",
    "chase": "Enter why you are chasing this step",
}

# --- closing a case: both sides ---------------------------------------------------------------

RESOLVE_NEEDS_RECORD = (
    "Write this step's record first: a case is resolved only with the step's outcome "
    "recorded in writing"
)
RESOLUTION_WAITING = (
    "This step's resolution already waits for the raiser's side to agree or dispute it"
)
NOTHING_TO_ANSWER = "No resolution waits for an answer at this step"
LAST_STEP_DISPUTE = (
    "This is the last step of the policy: a resolution here cannot be disputed by escalating. "
    "Agree to it, or withdraw the challenge"
)


def resolve_problem(*, recorded: bool, waiting: bool) -> str | None:
    """Why the current step cannot be resolved now, or None."""
    if not recorded:
        return RESOLVE_NEEDS_RECORD
    if waiting:
        return RESOLUTION_WAITING
    return None


def required_text(value: str | None, *, field: str, rule: str, limit: Limit | None = None) -> str:
    """The text stripped; refused when empty (ENTER[rule]) or longer than `limit`."""
    text = (value or "").strip()
    refuse(ENTER[rule] if not text else None, field=field)
    if limit is not None:
        refuse(limit.problem(text), field=field)
    return text


# --- a special route's questions and the answers its policy refuses --------------------------


def answer_required_message(question: Question) -> str:
    if question.kind == "choice":
        return "Select an answer"
    if question.kind == "multiple":
        return "Select at least one answer"
    return f"Enter {question.label[0].lower()}{question.label[1:].rstrip('?')}"


def answer_unknown_message(question: Question) -> str:
    if question.kind == "multiple":
        return "Select only answers listed"
    return "Select one of the answers listed"


def refusing_option(question: Question, value: Any) -> Choice | None:
    """The option chosen, when the policy says it means the route cannot be used (the
    option's `refuses` in the policy's data); else None."""
    values = value if isinstance(value, list | tuple) else [value]
    return next((o for o in question.options if o.refuses and o.slug in values), None)


def route_answers(route: RouteSpec, details: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the route's questions, checked as its question pages check them: known
    questions only, the required answered, choices among the options, texts within their
    length, and no answer that the policy refuses."""
    clean: dict[str, Any] = {}
    known = {q.slug for q in route.questions}
    for slug in details:
        refuse(
            None if slug in known else f"The route '{route.name}' does not ask '{slug}'",
            field=slug,
        )
    for question in route.questions:
        value = details.get(question.slug)
        if value in (None, "", [], ()):
            refuse(
                answer_required_message(question) if question.required else None,
                field=question.slug,
            )
            continue
        options = {o.slug for o in question.options}
        if question.kind == "choice":
            refuse(
                None if value in options else answer_unknown_message(question), field=question.slug
            )
        elif question.kind == "multiple":
            value = [value] if isinstance(value, str) else list(value or ())
            refuse(
                None if all(v in options for v in value) else answer_unknown_message(question),
                field=question.slug,
            )
        else:
            value = str(value).strip()
            refuse(ANSWER.problem(value), field=question.slug)
        option = refusing_option(question, value)
        refuse(option.refuses if option else None, field=question.slug)
        clean[question.slug] = value
    return clean


# --- an earlier due moment for the first step --------------------------------------------------


def earlier_due_problem(
    due_at: dt.datetime, *, now: dt.datetime, policy_due: dt.datetime | None
) -> str | None:
    """A due moment set at raising protects the person: in the future, and never later than
    the policy's own (a later one needs a reason, on the case page)."""
    if due_at <= now:
        return "The due moment must be in the future"
    if policy_due is not None and due_at > policy_due:
        shown = timezone.localtime(policy_due)
        return (
            "The due moment must be no later than the policy's, "
            f"{shown:%H:%M} {shown:%a} {shown.day} {shown:%b %Y}"
        )
    return None


# --- a step's written record ----------------------------------------------------------------

RECORD_TEXT_LIMIT = 20_000  # characters in one long part of a step's record
RECORD_LIMITS = {"text": 500, "phone": 30}
RECORD_EMPTY = "Write the record of this step: at least one of its parts"
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.org"


def record_limit(kind: str) -> int:
    """The longest answer a record field of this kind takes (escalation.policy.RecordField)."""
    return RECORD_LIMITS.get(kind, RECORD_TEXT_LIMIT)


def record_limit_message(label: str, kind: str) -> str:
    return f"{label[0].upper()}{label[1:]} must be {record_limit(kind)} characters or fewer"


def record_value_problem(label: str, kind: str, value: str) -> str | None:
    """One part of a step's record as its page checks it: within its length, an e-mail
    address that is one."""
    if len(value) > record_limit(kind):
        return record_limit_message(label, kind)
    if kind == "email" and value:
        try:
            validate_email(value)
        except ValidationError:
            return EMAIL_MESSAGE
    return None
