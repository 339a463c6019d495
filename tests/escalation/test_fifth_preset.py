"""Adding a preset is one file: a fifth YAML file in the presets folder loads, is listed at
/policies/ and runs, with no code, template or test list changed (docs/policies.md, "Adding a
preset").

The fifth preset is a copy of a shipped one under a new file name, slug and name, in a folder
of the test's own that settings.POLICY_PRESETS_DIR points at.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from agencies.enums import Role
from escalation.domain import case_escalate
from escalation.domain.policies import load_presets
from escalation.domain.policy_files import preset_files
from escalation.enums import CaseStatus, StepOutcome
from escalation.errors import InvalidInput
from escalation.models import Case, Learning, Policy
from tests.escalation.world import build_world

pytestmark = pytest.mark.django_db

FIFTH = "kent-children"
FIFTH_NAME = "Kent Resolving Professional Disagreements"
KENT_REFUSES = "In Kent only the professionals at the conference may dissent from its plan,"


def rewrite(file: Path, old: str, new: str) -> None:
    """Change one line of a preset file, failing loudly if the line is not there."""
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def presets_folder(tmp_path, settings) -> Path:
    """The shipped presets and a fifth beside them, copied from oscb-children.yaml."""
    shipped = preset_files()
    assert FIFTH not in {file.stem for file in shipped}, "a preset of that slug ships: pick another"
    for file in shipped:
        shutil.copy(file, tmp_path / file.name)
    fifth = tmp_path / f"{FIFTH}.yaml"
    shutil.copy(Path(settings.POLICY_PRESETS_DIR) / "oscb-children.yaml", fifth)
    rewrite(fifth, "slug: oscb-children\n", f"slug: {FIFTH}\n")
    rewrite(
        fifth,
        "name: Oxfordshire Resolving Professional Concerns and Disagreements\n",
        f"name: {FIFTH_NAME}\n",
    )
    # Its refusing answer says something else: the words are the preset's data.
    rewrite(
        fifth,
        "A dissent can be recorded only by a professional who attended the conference,",
        f"{KENT_REFUSES}",
    )
    settings.POLICY_PRESETS_DIR = tmp_path
    assert len(preset_files()) == len(shipped) + 1
    return tmp_path


def test_a_fifth_preset_file_loads_is_listed_and_runs(presets_folder, client):
    loaded = {r.slug: r.action for r in load_presets()}
    assert loaded[FIFTH] == "created"
    assert len(loaded) == len(preset_files())
    policy = Policy.objects.get(slug=FIFTH)
    assert policy.is_preset is True
    assert policy.name == FIFTH_NAME

    # A partnership adopts it, and a case is raised, escalated and resolved on it.
    world = build_world(policy=policy, code="KNT")
    case = world.raise_case()
    assert case.policy_version.policy == policy
    assert case.current_step.number == 1
    case = case_escalate(
        case=case, by=world.any_actor(case), reason="Still no assessment", expected_version=1
    )
    assert case.current_step.number == 2
    case = world.resolve(case, learning="Agree the referral criteria together")
    assert case.status == CaseStatus.RESOLVED
    assert [(s.number, s.outcome) for s in case.steps.exclude(number=0).order_by("number")] == [
        (1, StepOutcome.ESCALATED),
        (2, StepOutcome.RESOLVED),
    ]
    assert Learning.objects.get(case=case).summary == "Agree the referral criteria together"

    # The policy list shows it, tagged as the partnership's adopted policy.
    client.force_login(world.person("challenging", Role.PRACTITIONER))
    response = client.get("/policies/")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        rf'href="/policies/{FIFTH}/">{FIFTH_NAME}</a>\s*<br><strong class="govuk-tag '
        r'govuk-tag--green">Adopted by your partnership',
        html,
    )
    assert html.count('<strong class="govuk-tag govuk-tag--grey">Preset</strong>') == len(
        preset_files()
    )


def test_the_fifth_presets_own_refusing_answer(presets_folder):
    """The answer that refuses its conference-dissent route refuses with the fifth preset's
    words, and the preset it was copied from keeps its own; nothing is raised."""
    load_presets()
    kent = build_world(policy=Policy.objects.get(slug=FIFTH), code="KNT")
    oxford = build_world(policy=Policy.objects.get(slug="oscb-children"), code="OXF")
    details = {"attended": "no", "dissenting-professional": "Dr A. Khan", "reason": "Unsafe"}

    refusals = {}
    for world in (kent, oxford):
        with pytest.raises(InvalidInput) as refused:
            world.raise_case(route="conference-dissent", route_details=details)
        refusals[world.partnership.code] = (refused.value.field, refused.value.message)

    assert refusals["KNT"][0] == refusals["OXF"][0] == "attended"
    assert refusals["KNT"][1].startswith(KENT_REFUSES)
    assert refusals["OXF"][1].startswith("A dissent can be recorded only by a professional")
    assert Case.objects.count() == 0
