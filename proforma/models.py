"""The PDFs produced from a case's written record, who downloaded them, and the jobs that
render a whole record."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from proforma.enums import JobStatus


class RenderedPdf(models.Model):
    """One PDF produced by Resolve, kept byte for byte with its SHA-256: the copy shared is
    the copy kept. `section` is the step number whose section it holds; empty for the whole
    record."""

    case = models.ForeignKey("escalation.Case", on_delete=models.PROTECT, related_name="pdfs")
    section = models.PositiveSmallIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    file = models.FileField(max_length=300, help_text="Path under MEDIA_ROOT.")
    size = models.PositiveIntegerField()
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    produced_at = models.DateTimeField()
    note = models.CharField(
        max_length=200, blank=True, help_text="How it was produced when not by a person."
    )

    class Meta:
        ordering = ["-produced_at", "-pk"]

    def __str__(self) -> str:
        what = f"section {self.section}" if self.section is not None else "whole record"
        return f"{self.case.reference} {what} ({self.sha256[:12]})"

    @property
    def is_whole_record(self) -> bool:
        return self.section is None


class DownloadLog(models.Model):
    """Every download of a stored PDF, by whom and when."""

    pdf = models.ForeignKey(RenderedPdf, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} downloaded {self.pdf} at {self.at:%Y-%m-%d %H:%M}"


class RenderJob(models.Model):
    """A whole-record render run as a Celery job; the progress page reads it."""

    case = models.ForeignKey("escalation.Case", on_delete=models.CASCADE, related_name="pdf_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    pdf = models.ForeignKey(
        RenderedPdf, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case.reference} whole record ({self.status})"
