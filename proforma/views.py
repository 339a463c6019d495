"""Pages of the pro forma's PDFs. Thin: the case through case_get_for_user (a case the person
may not see is a 404), the permission, the form, the service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from config.http import AuthenticatedHttpRequest
from escalation.domain import case_log_read
from escalation.errors import CaseError
from escalation.models import Case
from escalation.queries.cases import case_get_for_user
from escalation.queries.policies import case_route, policy_spec
from proforma.forms import CheckForm, ProduceForm
from proforma.models import RenderedPdf, RenderJob
from proforma.selectors import job_get_for_case, pdf_get_for_case, pdf_list_for_case
from proforma.services import (
    proforma_open_for_download,
    proforma_queue_record,
    proforma_render,
    proforma_verify,
)


def _case(request: AuthenticatedHttpRequest, reference: str) -> Case:
    try:
        case = case_get_for_user(user=request.user, reference=reference)
    except Case.DoesNotExist:
        raise Http404("No such case") from None
    if not request.user.has_perm("proforma.produce_pdf", case):
        raise Http404("No such case")
    return case


def _sections(case: Case) -> list[tuple[int, str]]:
    sections = policy_spec(case.policy_version).record_sections
    return [
        (s.number, (sections.get(s.record_section) or {}).get("title") or s.name)
        for s in sorted(case_route(case).steps, key=lambda s: s.number)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def pdf_list(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The PDFs produced for a case with their SHA-256, and a form to produce another."""
    case = _case(request, reference)
    posted = request.method == "POST"
    form = ProduceForm(request.POST if posted else None, sections=_sections(case))
    if posted and form.is_valid():
        try:
            if form.section is None:
                job = proforma_queue_record(case=case, by=request.user)
                return redirect("proforma:job", reference=case.reference, job_id=job.pk)
            pdf = proforma_render(case=case, section=form.section, by=request.user)
        except CaseError as error:
            form.add_error("part", error.message)
        else:
            messages.success(request, f"Section {pdf.section} produced: download it below.")
            return redirect("proforma:list", reference=case.reference)
    case_log_read(case=case, user=request.user, what="PDF list")
    return render(
        request,
        "proforma/pdf_list.html",
        {
            "case": case,
            "pdfs": pdf_list_for_case(case=case),
            "form": form,
            "record_name": policy_spec(case.policy_version).record_name,
        },
    )


@login_required
def job_progress(request: AuthenticatedHttpRequest, reference: str, job_id: int) -> HttpResponse:
    """A whole-record job's progress: refreshes itself until the PDF is ready."""
    case = _case(request, reference)
    try:
        job = job_get_for_case(case=case, job_id=job_id)
    except RenderJob.DoesNotExist:
        raise Http404("No such job") from None
    return render(request, "proforma/job.html", {"case": case, "job": job})


@login_required
def pdf_download(request: AuthenticatedHttpRequest, reference: str, pdf_id: int) -> FileResponse:
    case = _case(request, reference)
    try:
        pdf = pdf_get_for_case(case=case, pdf_id=pdf_id)
        handle = proforma_open_for_download(pdf=pdf, by=request.user)
    except (RenderedPdf.DoesNotExist, CaseError):
        raise Http404("No such PDF") from None
    what = "record" if pdf.section is None else f"section-{pdf.section}"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{case.reference}-{what}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_http_methods(["GET", "POST"])
def pdf_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a PDF someone shared: is it a copy Resolve produced and kept?"""
    posted = request.method == "POST"
    form = CheckForm(request.POST if posted else None, request.FILES if posted else None)
    check = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check = proforma_verify(data=upload.read(), user=request.user)
        except CaseError as error:
            form.add_error("file", error.message)
    return render(
        request,
        "proforma/check.html",
        {"form": form, "check": check, "check_url": reverse("proforma:check")},
    )
