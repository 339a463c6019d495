"""Exports of the board's report: made at once when small, by a Celery job when large.

An export job's life: export_request writes it QUEUED and queues reports.export after the
transaction commits; export_run makes the file (RUNNING, with progress, then DONE until it
expires, or FAILED); exports_purge deletes expired files and their jobs.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from agencies.models import Partnership
from reports import conf
from reports.exports import ExportFile, export_render
from reports.models import ExportFormat, ExportJob, ExportStatus
from reports.report import FIGURE_COUNT, build_report
from reports.selectors import ReportFilters, report_cases

logger = logging.getLogger(__name__)


class ReportNotAllowed(Exception):
    """The person may not read this partnership's reports."""


def _require_reader(by: Any, partnership: Partnership) -> None:
    if not by.has_perm("reports.view_report", partnership):
        raise ReportNotAllowed(f"You cannot read the reports of {partnership.name}.")


def export_now(
    *, by: Any, partnership: Partnership, filters: ReportFilters, fmt: str
) -> ExportFile:
    """Make the export in this request (for exports up to the threshold).

    Side effects: none (checks permission, reads, renders).
    """
    _require_reader(by, partnership)
    report = build_report(partnership=partnership, filters=filters)
    return export_render(report, ExportFormat(fmt).value)


def export_needs_job(*, partnership: Partnership, filters: ReportFilters) -> tuple[bool, int]:
    """Whether the export is over the threshold (so runs as a job), and its case count."""
    count = report_cases(partnership=partnership, filters=filters).count()
    return count > conf.export_async_threshold(), count


@transaction.atomic
def export_request(
    *, by: Any, partnership: Partnership, filters: ReportFilters, fmt: str, case_count: int = 0
) -> ExportJob:
    """Ask for an export to be made by a worker.

    Side effects, in order: checks permission; writes the job (queued); after commit,
    queues reports.export for it.
    """
    _require_reader(by, partnership)
    job = ExportJob.objects.create(
        partnership=partnership,
        requested_by=by,
        format=ExportFormat(fmt).value,
        filters=filters.as_data(),
        case_count=case_count,
    )
    from reports.tasks import export_task

    job_id = str(job.pk)
    transaction.on_commit(lambda: export_task.delay(job_id=job_id))
    return job


def _set_progress(job_id: Any, done: int) -> None:
    # Each figure's progress is committed at once so the progress page sees it.
    percent = min(95, round(90 * done / FIGURE_COUNT))
    ExportJob.objects.filter(pk=job_id).update(progress=percent)


def export_run(*, job_id: str) -> None:
    """Make a queued export's file. A job already done (a repeat delivery) is left alone.

    Side effects, in order: the job RUNNING; its progress after each figure; the file saved
    in storage; the job DONE with its expiry (or FAILED with a short reason).
    """
    job = ExportJob.objects.select_related("partnership", "requested_by").get(pk=job_id)
    if job.status == ExportStatus.DONE:
        return
    job.status = ExportStatus.RUNNING
    job.progress = 0
    job.save(update_fields=["status", "progress"])
    try:
        _require_reader(job.requested_by, job.partnership)
        report = build_report(
            partnership=job.partnership,
            filters=ReportFilters.from_data(job.filters),
            progress=lambda done: _set_progress(job.pk, done),
        )
        made = export_render(report, job.format)
    except ReportNotAllowed:
        _fail(job, "You can no longer read this partnership's reports.")
        return
    except Exception:
        logger.exception("export %s failed", job.pk)
        _fail(job, "The export could not be made. Try again, or ask for a smaller one.")
        return
    now = timezone.now()
    job.file.save(f"{job.pk}.{job.format}", ContentFile(made.content), save=False)
    job.status = ExportStatus.DONE
    job.progress = 100
    job.finished_at = now
    job.expires_at = now + dt.timedelta(hours=conf.export_keep_hours())
    job.save(update_fields=["file", "status", "progress", "finished_at", "expires_at"])


def _fail(job: ExportJob, reason: str) -> None:
    now = timezone.now()
    job.status = ExportStatus.FAILED
    job.error = reason
    job.finished_at = now
    job.expires_at = now + dt.timedelta(hours=conf.export_keep_hours())
    job.save(update_fields=["status", "error", "finished_at", "expires_at"])


def exports_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files and jobs of exports past their expiry; and jobs that never finished
    a day after the keep time (a worker lost them). Returns how many jobs were deleted.

    Side effects: files deleted from storage, then their job rows.
    """
    now = now or timezone.now()
    keep = dt.timedelta(hours=conf.export_keep_hours())
    expired = ExportJob.objects.filter(expires_at__lte=now) | ExportJob.objects.filter(
        expires_at__isnull=True, created_at__lte=now - keep - dt.timedelta(days=1)
    )
    deleted = 0
    for job in expired:
        if job.file:
            job.file.delete(save=False)
        job.delete()
        deleted += 1
    return deleted


def export_download_name(job: ExportJob) -> str:
    local = timezone.localtime(job.finished_at or job.created_at)
    code = job.partnership.code.lower()
    return f"resolve-report-{code}-{local:%Y%m%d-%H%M}.{job.format}"
