"""The board's report page, its exports and export jobs. Thin: selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from agencies.models import Partnership
from reports.forms import ReportFilterForm
from reports.models import ExportFormat, ExportJob, ExportStatus
from reports.report import build_report
from reports.selectors import (
    ReportFilters,
    report_filter_choices,
    report_partnerships_for_user,
)
from reports.services import (
    ReportNotAllowed,
    export_download_name,
    export_needs_job,
    export_now,
    export_request,
)

# The page lists the newest statements only; the exports carry every one.
STATEMENTS_ON_PAGE = 200


def _partnership(request: HttpRequest, code: str | None) -> tuple[Partnership, list[Partnership]]:
    """The partnership whose report is asked for: one the person may read, or 403."""
    mine = list(report_partnerships_for_user(user=request.user))
    if not mine:
        raise PermissionDenied("Reports are for board staff and strategic safeguarding managers.")
    if not code:
        return mine[0], mine
    for partnership in mine:
        if partnership.code == code:
            return partnership, mine
    raise PermissionDenied("You cannot read that partnership's reports.")


@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    """The figures for the filters in the query string, each a chart and a table."""
    partnership, mine = _partnership(request, request.GET.get("partnership"))
    choices = report_filter_choices(partnership=partnership)
    form = ReportFilterForm(request.GET or None, choices=choices)
    report = None
    if not form.is_bound or form.is_valid():
        filters = form.to_filters() if form.is_bound else ReportFilters()
        report = build_report(partnership=partnership, filters=filters, choices=choices)
    return render(
        request,
        "reports/report.html",
        {
            "partnership": partnership,
            "partnerships": mine,
            "form": form,
            "report": report,
            "statements_on_page": STATEMENTS_ON_PAGE,
            "statements_slice": f":{STATEMENTS_ON_PAGE}",
            "formats": ExportFormat.choices,
            "export_fields": [
                (name, value)
                for name, values in request.GET.lists()
                if name in form.fields
                for value in values
            ],
        },
    )


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """The current filters' export: the file at once, or a job when over the threshold."""
    partnership, _mine = _partnership(request, request.POST.get("partnership"))
    fmt = request.POST.get("format", "")
    if fmt not in ExportFormat.values:
        raise Http404("No such export format")
    form = ReportFilterForm(request.POST, choices=report_filter_choices(partnership=partnership))
    if not form.is_valid():
        return redirect(f"{_report_url()}?{request.POST.urlencode()}")
    filters = form.to_filters()
    try:
        as_job, count = export_needs_job(partnership=partnership, filters=filters)
        if as_job:
            job = export_request(
                by=request.user, partnership=partnership, filters=filters, fmt=fmt, case_count=count
            )
            return redirect("reports:export_job", job_id=job.pk)
        made = export_now(by=request.user, partnership=partnership, filters=filters, fmt=fmt)
    except ReportNotAllowed as error:
        raise PermissionDenied(str(error)) from None
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


def _report_url() -> str:
    from django.urls import reverse

    return reverse("reports:report")


def _own_job(request: HttpRequest, job_id: Any) -> ExportJob:
    """The person's own export job of a partnership they may still read; 404 otherwise."""
    allowed = report_partnerships_for_user(user=request.user)
    try:
        return ExportJob.objects.select_related("partnership").get(
            pk=job_id, requested_by_id=request.user.pk, partnership__in=allowed
        )
    except ExportJob.DoesNotExist:
        raise Http404("No such export") from None


@login_required
@require_GET
def export_job(request: HttpRequest, job_id: Any) -> HttpResponse:
    """The progress of an export job, with a refresh link and, when done, the download."""
    job = _own_job(request, job_id)
    return render(request, "reports/export_job.html", {"job": job, "Status": ExportStatus})


@login_required
@require_GET
def export_download(request: HttpRequest, job_id: Any) -> FileResponse:
    job = _own_job(request, job_id)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404("This export is not ready, or has been deleted")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=export_download_name(job))
