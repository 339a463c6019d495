"""Reads of the pro forma's PDFs and jobs, always through a case the person may see."""

from __future__ import annotations

from django.db.models import QuerySet

from escalation.models import Case
from proforma.models import RenderedPdf, RenderJob


def pdf_list_for_case(*, case: Case) -> QuerySet[RenderedPdf]:
    return (
        RenderedPdf.objects.filter(case=case)
        .select_related("produced_by")
        .order_by("-produced_at", "-pk")
    )


def pdf_get_for_case(*, case: Case, pdf_id: int) -> RenderedPdf:
    """RenderedPdf.DoesNotExist unless the PDF belongs to this (visible) case."""
    return pdf_list_for_case(case=case).get(pk=pdf_id)


def job_get_for_case(*, case: Case, job_id: int) -> RenderJob:
    return RenderJob.objects.select_related("pdf").get(case=case, pk=job_id)
