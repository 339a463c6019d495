"""Producing, keeping, checking and handing out the pro forma's PDFs.

The copy shared is the copy kept: every PDF Resolve produces is stored byte for byte with its
SHA-256, who produced it and when; a copy someone received is checked against those hashes.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from escalation.domain import case_log_read
from escalation.errors import InvalidInput, NotAllowed
from escalation.models import Case
from proforma.dates import uk_moment
from proforma.enums import JobStatus
from proforma.models import DownloadLog, RenderedPdf, RenderJob
from proforma.record import record_view

CSS_FILE = Path(__file__).with_name("pdf.css")
# PDF/UA-1: WeasyPrint tags the structure (pdf_tags) and writes the PDF/UA identification.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
CLI_NOTE = "Produced from the command line (python manage.py proforma_pdf); no person signed in."
MAX_CHECK_BYTES = 30 * 1024 * 1024


class _Renderer:
    """WeasyPrint's font configuration and the parsed stylesheet, made once per thread.

    A FontConfiguration owns the Pango font map, whose caches (fonts found, glyph metrics,
    shaped text) are what make a second render fast; WeasyPrint makes a new one for each
    document unless given one. Kept per thread (see _renderer): a Celery worker process or a
    web thread each get their own, never shared between threads."""

    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.fonts = FontConfiguration()
        self.stylesheet = CSS(string=CSS_FILE.read_text(encoding="utf-8"), font_config=self.fonts)


_local = threading.local()


def _renderer() -> _Renderer:
    renderer: _Renderer | None = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = _local.renderer = _Renderer()
    return renderer


def pdf_from_html(html: str) -> bytes:
    """WeasyPrint, with the pro forma's stylesheet, the tagging options and the thread's
    font configuration."""
    from weasyprint import HTML

    renderer = _renderer()
    return bytes(
        HTML(string=html).write_pdf(
            stylesheets=[renderer.stylesheet], font_config=renderer.fonts, **PDF_OPTIONS
        )
    )


def proforma_html(*, case: Case, section: int | None) -> str:
    """The HTML the PDF is rendered from (InvalidInput for a section the route lacks)."""
    record = record_view(case=case, section=section)
    return render_to_string(
        "proforma/pdf/record.html",
        {"record": record, "case": case, "produced": uk_moment(timezone.now())},
    )


def proforma_render(*, case: Case, section: int | None, by: Any, note: str = "") -> RenderedPdf:
    """Render one section (the record of step `section`) or the whole record (section None)
    of a case to a tagged A4 PDF, and keep it.

    Side effects, in order: refuses a person who may not produce the case's PDFs (NotAllowed;
    `by` None is the command line, which has no person); refuses a section the route lacks
    (InvalidInput); writes the file under MEDIA_ROOT; writes a RenderedPdf row with its
    SHA-256, size, who and when.
    """
    if by is not None and not by.has_perm("proforma.produce_pdf", case):
        raise NotAllowed(f"You cannot produce the record of case {case.reference}.")
    case = Case.objects.select_related(
        "partnership", "policy_version", "challenging_agency", "responding_agency"
    ).get(pk=case.pk)
    data = pdf_from_html(proforma_html(case=case, section=section))
    digest = hashlib.sha256(data).hexdigest()
    now = timezone.now()
    what = "record" if section is None else f"section-{section}"
    name = (
        f"proforma/{case.partnership.code}/{case.reference}/"
        f"{case.reference}-{what}-{now:%Y%m%dT%H%M%S}-{digest[:12]}.pdf"
    )
    pdf = RenderedPdf(
        case=case,
        section=section,
        sha256=digest,
        size=len(data),
        produced_by=by,
        produced_at=now,
        note=note or (CLI_NOTE if by is None else ""),
    )
    pdf.file.save(name, ContentFile(data), save=False)
    pdf.save()
    return pdf


def proforma_open_for_download(*, pdf: RenderedPdf, by: Any) -> IO[bytes]:
    """The stored bytes of a PDF, for a person who may download it.

    Side effects, in order: refuses a person who may not (NotAllowed); writes a DownloadLog
    row and a read in the case's access log; opens the file.
    """
    if not by.has_perm("proforma.download_pdf", pdf):
        raise NotAllowed("You cannot download this PDF.")
    if not pdf.file:
        raise NotAllowed("This PDF was erased at the end of the retention period.")
    DownloadLog.objects.create(pdf=pdf, user=by, at=timezone.now())
    what = "whole record" if pdf.is_whole_record else f"step {pdf.section} section"
    case_log_read(case=pdf.case, user=by, what=f"PDF download ({what})")
    handle: IO[bytes] = pdf.file.open("rb")
    return handle


@dataclass(frozen=True)
class PdfCheck:
    """The answer to "is this a copy Resolve produced?". `pdf` is set only when it is one
    and the person may see its case; otherwise the answer says nothing more."""

    sha256: str
    pdf: RenderedPdf | None = None

    @property
    def is_known(self) -> bool:
        return self.pdf is not None


def proforma_verify(*, data: bytes, user: Any) -> PdfCheck:
    """Say whether `data` is byte for byte a PDF Resolve produced, and for which case and
    when, but only to a person who may see that case. For anyone else, and for bytes Resolve
    never produced, the answer is the same: not a copy they can check. Writes nothing."""
    if len(data) > MAX_CHECK_BYTES:
        raise InvalidInput("The file must be smaller than 30 MB", field="file")
    if not data.startswith(b"%PDF-"):
        raise InvalidInput("The selected file must be a PDF", field="file")
    digest = hashlib.sha256(data).hexdigest()
    for pdf in RenderedPdf.objects.filter(sha256=digest).select_related(
        "case", "case__partnership", "produced_by"
    ):
        if user.has_perm("escalation.view_case", pdf.case):
            return PdfCheck(sha256=digest, pdf=pdf)
    return PdfCheck(sha256=digest)


@transaction.atomic
def proforma_queue_record(*, case: Case, by: Any) -> RenderJob:
    """Ask for the whole record as a job (a long case takes a while to render).

    Side effects, in order: refuses a person who may not produce the case's PDFs; writes a
    queued RenderJob; after commit, queues the task proforma.render_record.
    """
    if not by.has_perm("proforma.produce_pdf", case):
        raise NotAllowed(f"You cannot produce the record of case {case.reference}.")
    job = RenderJob.objects.create(case=case, requested_by=by, requested_at=timezone.now())
    from proforma.tasks import render_record_task

    transaction.on_commit(lambda: render_record_task.delay(job_id=job.pk))
    return job


def proforma_run_job(*, job_id: int) -> RenderJob:
    """Run a queued whole-record job. A job already done or failed is left as it is, so a
    task delivered twice renders once.

    Side effects, in order: the job marked running; the PDF rendered and kept (as
    proforma_render, as the person who asked, so a person who lost access gets nothing);
    the job marked done with its PDF, or failed with the reason.
    """
    with transaction.atomic():
        job = RenderJob.objects.select_for_update().select_related("case").get(pk=job_id)
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            return job
        job.status = JobStatus.RUNNING
        job.save(update_fields=["status"])
    try:
        pdf = proforma_render(case=job.case, section=None, by=job.requested_by)
    except NotAllowed as error:
        job.status, job.error = JobStatus.FAILED, error.message
    except Exception:
        job.status, job.error = JobStatus.FAILED, "The record could not be produced."
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        raise
    else:
        job.status, job.pdf = JobStatus.DONE, pdf
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "pdf", "finished_at"])
    return job
