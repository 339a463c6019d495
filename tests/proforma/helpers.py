"""Cases with written records, for the pro forma's tests."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from escalation.domain import case_escalate, step_record_outcome
from escalation.models import Case
from escalation.policy import record_fields
from escalation.queries.policies import case_route, policy_spec
from tests.escalation.world import World


def write_record(world: World, case: Case, record: dict[str, str], *, by: Any = None) -> Case:
    case.refresh_from_db()
    return step_record_outcome(
        case=case,
        by=by or world.any_actor(case),
        record=record,
        meeting_held=True,
        expected_version=case.version,
    )


def escalate(world: World, case: Case) -> Case:
    case.refresh_from_db()
    return case_escalate(
        case=case, by=world.any_actor(case), reason="Not resolved", expected_version=case.version
    )


def step_record(case: Case, number: int) -> dict[str, str]:
    """A record for step `number` in its section's own text fields: the first says
    "Concerns at step N.", the others "<label> at step N."."""
    spec = policy_spec(case.policy_version)
    fields = record_fields(spec, case_route(case).step(number))
    written = [f for f in fields if f.kind in ("long_text", "text")]
    record = {f.slug: f"{f.label} at step {number}." for f in written[1:]}
    if written:
        record[written[0].slug] = f"Concerns at step {number}."
    return record


def climb_with_records(world: World, case: Case) -> Case:
    """Write a record at every step and escalate, to the last step (its record written too)."""
    route = case_route(case)
    while True:
        number = case.current_step.number
        write_record(world, case, step_record(case, number))
        if route.step_after(number) is None:
            return case
        case = escalate(world, case)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def squash(text: str) -> str:
    """Text with every run of white space made one space (lines wrap in the PDF)."""
    return " ".join(text.split())
