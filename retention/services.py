"""Erasing closed cases after the retention period (RESOLVE_RETENTION_DAYS after closing).

A resolved or withdrawn case is kept whole for the period, then its subject identifiers
(initials, record numbers, the professional's name) and every free text (the disagreement,
its impact, the written records of the steps, reasons, route answers typed in, the learning
statement) are erased: in the case, its steps, its learning, every history row of them, and
the PDFs of its record (the files; the rows keep their SHA-256, date and downloads). What is
left keeps the reports: dates, agencies, policy, route, category, steps, outcomes, themes.
Each erasure writes a CaseErasure saying what it erased. docs/security.md, docs/jobs.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from escalation.enums import CaseStatus
from escalation.models import Case, CaseStep, Learning, ResolutionProposal, StepChase
from escalation.queries.policies import case_route
from proforma.models import RenderedPdf

from .models import CaseErasure

CASE_TEXTS = (
    "subject_initials",
    "challenging_record_number",
    "responding_record_number",
    "responding_professional",
    "disagreement",
    "impact",
    "closed_reason",
)
STEP_TEXTS = ("outcome_reason", "due_change_reason")
BATCH = 200


def retention_days() -> int:
    return int(settings.RESOLVE_RETENTION_DAYS)


def due_for_erasure(*, now: datetime | None = None) -> QuerySet[Case]:
    """Closed cases past the retention period, not yet erased."""
    cut_off = (now or timezone.now()) - timedelta(days=retention_days())
    return Case.objects.filter(
        status__in=[CaseStatus.RESOLVED, CaseStatus.WITHDRAWN],
        closed_at__lt=cut_off,
        erasure__isnull=True,
    ).order_by("closed_at", "pk")


def erase_expired(*, now: datetime | None = None) -> int:
    """Erase every case due, in batches, each case in its own transaction; returns how many.
    Safe to run twice at once: a case is locked and checked again before it is erased."""
    now = now or timezone.now()
    erased = 0
    while True:
        ids = list(due_for_erasure(now=now).values_list("pk", flat=True)[:BATCH])
        if not ids:
            return erased
        for case_id in ids:
            if case_erase(case_id=case_id, now=now) is not None:
                erased += 1


def _without_typed_words(reason: str | None) -> str | None:
    """A history row's reason keeps what happened ("withdrawn"), never the words typed after
    its colon ("withdrawn: the family moved away")."""
    if not reason:
        return reason
    return reason.split(":", 1)[0]


def _route_texts(case: Case) -> list[str]:
    """The route's questions answered in the person's own words (not its choices)."""
    try:
        route = case_route(case)
    except Exception:  # a route no longer in its policy version: treat every answer as text
        return sorted(case.route_details)
    return [q.slug for q in route.questions if q.kind not in ("choice", "multiple")]


@transaction.atomic
def case_erase(*, case_id: int, now: datetime) -> CaseErasure | None:
    case = Case.objects.select_for_update(skip_locked=True).filter(pk=case_id).first()
    if case is None or CaseErasure.objects.filter(case_id=case_id).exists():
        return None
    cut_off = now - timedelta(days=retention_days())
    if case.status not in (CaseStatus.RESOLVED, CaseStatus.WITHDRAWN) or not (
        case.closed_at and case.closed_at < cut_off
    ):
        return None
    what: dict[str, Any] = {}
    case_fields = [name for name in CASE_TEXTS if getattr(case, name)]
    route_texts = [slug for slug in _route_texts(case) if case.route_details.get(slug)]
    details = {k: v for k, v in case.route_details.items() if k not in route_texts}
    # Straight to the table: erasing is not a change of the case, and writes no history row.
    Case.objects.filter(pk=case.pk).update(
        route_details=details, **{name: "" for name in CASE_TEXTS}
    )
    what["case"] = case_fields
    what["route_answers"] = route_texts

    steps = CaseStep.objects.filter(case=case)
    what["step_records"] = steps.exclude(record={}).count()
    steps.update(record={}, **{name: "" for name in STEP_TEXTS})

    history_rows = 0
    for row in Case.history.filter(id=case.pk):
        for name in CASE_TEXTS:
            setattr(row, name, "")
        row.route_details = {k: v for k, v in row.route_details.items() if k not in route_texts}
        row.history_change_reason = _without_typed_words(row.history_change_reason)
        row.save()
        history_rows += 1
    for row in CaseStep.history.filter(case_id=case.pk):
        row.record = {}
        for name in STEP_TEXTS:
            setattr(row, name, "")
        row.history_change_reason = _without_typed_words(row.history_change_reason)
        row.save()
        history_rows += 1
    what["history_rows"] = history_rows

    # A chase keeps who and when (the board's reports count chases); its reason goes.
    what["chase_reasons"] = StepChase.objects.filter(case=case).exclude(reason="").update(reason="")

    learning = Learning.objects.filter(case=case)
    what["learning_statement"] = learning.exclude(summary="").exists()
    learning.update(summary="")
    proposals = ResolutionProposal.objects.filter(case=case)
    what["resolution_proposals"] = proposals.count()
    proposals.update(learning="", dispute_reason="")

    pdfs = 0
    for pdf in RenderedPdf.objects.filter(case=case).exclude(file=""):
        pdf.file.delete(save=False)
        pdf.file = ""
        pdf.save(update_fields=["file"])
        pdfs += 1
    what["pdf_files"] = pdfs

    return CaseErasure.objects.create(
        case=case,
        erased_at=now,
        closed_at=case.closed_at,
        kept_days=retention_days(),
        erased=what,
    )
