"""Celery tasks of the reports: thin callers of reports.services."""

from __future__ import annotations

from celery import shared_task

from reports.services import export_run, exports_purge


@shared_task(name="reports.export", acks_late=True)
def export_task(*, job_id: str) -> None:
    export_run(job_id=job_id)  # a repeat of a finished job does nothing


@shared_task(name="reports.purge_exports")
def purge_exports_task() -> int:
    return exports_purge()
