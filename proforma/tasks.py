"""Celery tasks of the pro forma: thin callers of proforma/services.py."""

from __future__ import annotations

from celery import shared_task

from proforma.services import proforma_run_job


@shared_task(name="proforma.render_record", acks_late=True)
def render_record_task(*, job_id: int) -> int | None:
    """Render a case's whole record for a queued job; returns the RenderedPdf id."""
    return proforma_run_job(job_id=job_id).pdf_id
