"""Render one page (the first with a written record) of each preset's whole record to docs/screenshots/proforma-<slug>.png.

Run: DATABASE_URL=... .venv/bin/python scripts/proforma_screenshots.py
Builds a case per preset (a record written at its first steps) inside a transaction that is
rolled back, renders the whole record, and turns page 1 into PNG with pdftoppm.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402

from escalation.domain.policies import load_presets  # noqa: E402
from escalation.models import Policy  # noqa: E402
from escalation.queries.policies import case_route, policy_spec  # noqa: E402
from proforma.services import proforma_render  # noqa: E402
from tests.escalation.world import build_world  # noqa: E402
from tests.proforma.helpers import escalate, write_record  # noqa: E402

SAMPLE = {
    "concerns": "Health asked for a strategy discussion after the third missed appointment; "
    "social care closed the referral without an assessment.",
    "thoughts-and-feelings": "Both practitioners are worried; social care feels the threshold "
    "was not met on the information given.",
    "impact": "JD has had no review of their care plan since March.",
    "ways-forward": "Share the GP letter and meet again with both line managers.",
    "agreed-actions": "Social care to review the referral by Friday; health to send records.",
    "resolution-reached": "no",
    "implementing-line-manager": "Ann Lee, Team Manager, Hillside Health",
    "contacted-line-manager": "Raj Patel, Duty Manager, County Social Care",
    "contacted-telephone": "01632 960 001",
    "contacted-email": "raj.patel@example.org",
    "summary": "We discussed the referral and the missed appointments. Social care will "
    "review the decision with the GP letter; no resolution yet.",
    "written-to": "Raj Patel, duty social worker",
    "concern": "The referral was closed without an assessment.",
}


def _first_filled_page(path: str) -> int:
    """The page that shows the record written (page 1 unless a blank step 0 comes first)."""
    from pypdf import PdfReader

    for number, page in enumerate(PdfReader(path).pages, start=1):
        if "Social care" in (page.extract_text() or "") and "review" in (page.extract_text() or ""):
            return number
    return 1


def main() -> None:
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():
        settings.MEDIA_ROOT = folder
        load_presets()
        for index, slug in enumerate(
            ["oscb-children", "ssab-adults", "4lscb-children", "sab-adults"]
        ):
            world = build_world(policy=Policy.objects.get(slug=slug), code=f"SHOT{index}")
            world.partnership.name = {
                "oscb-children": "Oxfordshire Safeguarding Children Board",
                "ssab-adults": "Example Safeguarding Adults Board",
                "4lscb-children": "Four Local Safeguarding Children Boards",
                "sab-adults": "Example Safeguarding Adults Board (Wales)",
            }[slug]
            world.partnership.save()
            case = world.raise_case()
            fields = case_route(case).step(case.current_step.number)
            section = policy_spec(case.policy_version).record_sections[fields.record_section]
            slugs = {f["slug"] for f in section["fields"]}
            write_record(world, case, {k: v for k, v in SAMPLE.items() if k in slugs})
            if fields.number == 0 or case_route(case).step_after(fields.number):
                case = escalate(world, case)
            pdf = proforma_render(case=case, section=None, by=case.raised_by)
            target = out / f"proforma-{slug.split('-')[0]}"
            page = _first_filled_page(pdf.file.path)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "70",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-singlefile",
                    pdf.file.path,
                    str(target),
                ],
                check=True,
            )
            print(f"{target}.png")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
