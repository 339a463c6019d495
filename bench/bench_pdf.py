"""The pro forma's PDF: the whole record of a case that climbed all five steps of the OSCB
policy (each step's record written), against WeasyPrint rendering a one-line page in the
same run. Goal: pdf_ratio_to_floor under 3.

The case is built inside a transaction that is rolled back, and the PDFs go to a temporary
MEDIA_ROOT, so the run leaves nothing behind.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction

RUNS = 7


class _RollBack(Exception):
    pass


def _median_ms(work: Callable[[], object]) -> float:
    work()  # warm up: fonts, stylesheet, templates
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _floor() -> None:
    from weasyprint import HTML

    HTML(string="<html lang='en-GB'><title>x</title><p>One line.</p></html>").write_pdf()


def run() -> dict[str, float]:
    from escalation.models import Policy
    from escalation.policy_services import load_presets
    from proforma.services import proforma_render
    from tests.escalation.world import build_world
    from tests.proforma.helpers import climb_with_records

    figures: dict[str, float] = {}
    media = settings.MEDIA_ROOT
    with tempfile.TemporaryDirectory() as folder:
        settings.MEDIA_ROOT = folder
        try:
            with transaction.atomic():
                load_presets()
                world = build_world(policy=Policy.objects.get(slug="oscb-children"), code="BPDF")
                case = climb_with_records(world, world.raise_case())
                assert case.current_step is not None and case.current_step.number == 5
                by = case.raised_by
                figures["pdf_floor_ms"] = _median_ms(_floor)
                figures["pdf_record_ms"] = _median_ms(
                    lambda: proforma_render(case=case, section=None, by=by)
                )
                raise _RollBack
        except _RollBack:
            pass
        finally:
            settings.MEDIA_ROOT = media
    figures["pdf_ratio_to_floor"] = figures["pdf_record_ms"] / figures["pdf_floor_ms"]
    return figures
