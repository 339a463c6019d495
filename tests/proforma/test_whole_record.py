"""The whole record's PDF, rendered for real with WeasyPrint and read back with pypdf: the
case's summary before the steps, the policy's own name for its record, dates as UK forms
write them. One test per preset file: a new preset is tested by adding its file."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from escalation.domain.policy_files import load_policy_file, preset_files
from escalation.queries.policies import case_route, policy_spec
from proforma.services import proforma_render
from tests.escalation.world import preset_world
from tests.proforma.helpers import escalate, pdf_text, squash, step_record, write_record

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Wednesday 2 December 2026, 4:30pm in London: a working day in every nation, before close of
# business, so the case is raised (and its record signed) at this moment on the frozen clock.
RAISED = dt.datetime(2026, 12, 2, 16, 30, tzinfo=LONDON)
PRESETS = {file.stem: load_policy_file(file) for file in preset_files()}


@pytest.mark.parametrize("slug", sorted(PRESETS))
def test_the_whole_record_holds_the_case_summary_and_its_policys_own_name(presets, slug):
    world = preset_world(presets, slug)
    with time_machine.travel(RAISED, tick=False):
        case = world.raise_case(
            category="roles-and-responsibilities",
            disagreement="Health asked for a home visit; social care declined to make one.",
            impact="Nobody has seen the child at home for six weeks.",
            risk_of_significant_harm=True,
        )
        # a record at several steps: step 1 written, escalated, step 2 written
        write_record(world, case, step_record(case, case.current_step.number))
        case = escalate(world, case)
        write_record(world, case, step_record(case, case.current_step.number))
        pdf = proforma_render(case=case, section=None, by=case.raised_by)
    with pdf.file.open("rb") as handle:
        text = squash(pdf_text(handle.read()))

    spec = policy_spec(case.policy_version)
    record_name = PRESETS[slug]["record_name"]
    assert spec.record_name == record_name
    summary = [
        record_name,
        "The disagreement",
        "Raised 2 December 2026, 4:30pm",
        f"Policy {spec.name}, version {case.policy_version.number}",
        f"Route {case_route(case).name}",
        f"Challenging agency {world.challenging.name}",
        f"Responding agency {world.responding.name}",
        "Category Roles and responsibilities of workers",
        "The disagreement Health asked for a home visit; social care declined to make one.",
        "Its impact Nobody has seen the child at home for six weeks.",
        "Risk of significant harm Yes X No",
    ]
    at = 0
    for needle in summary:  # each in the PDF, in this order
        found = text.find(needle, at)
        assert found >= 0, f"{needle!r} missing after position {at}"
        at = found + len(needle)
    first_section = spec.record_sections[case_route(case).ladder[0].record_section]["title"]
    assert text.find(first_section, at) > at  # the summary comes before the steps
    assert "Concerns at step 1." in text
    assert f"Concerns at step {case.current_step.number}." in text
    # the signature's moment, as UK forms write it
    assert "confirmed in Resolve on 2 December 2026, 4:30pm" in text
    # no other preset's name for its record, and no ISO date
    for other, document in PRESETS.items():
        if document["record_name"] != record_name and document["record_name"] not in record_name:
            assert document["record_name"] not in text, other
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)


def test_every_preset_names_its_record_and_no_two_share_a_name():
    names = [document.get("record_name") for document in PRESETS.values()]
    assert all(names)
    assert len(set(names)) == len(names)
