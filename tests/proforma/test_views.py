"""The PDF pages: who gets what, and who gets a 404 with nothing of the case in it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.enums import Role
from proforma.enums import JobStatus
from proforma.models import DownloadLog, RenderedPdf, RenderJob
from proforma.services import proforma_render
from proforma.tasks import render_record_task

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    ("unrelated", Role.PRACTITIONER),
    ("unrelated", Role.SAFEGUARDING_LEAD),
    ("elsewhere", Role.BOARD_STAFF),
    ("elsewhere", Role.LINE_MANAGER),
    ("board", Role.PARTNERSHIP_ADMIN),
]


def _bytes(pdf: RenderedPdf) -> bytes:
    with pdf.file.open("rb") as handle:
        return handle.read()


def _urls(case, pdf, job):
    return [
        reverse("proforma:list", args=[case.reference]),
        reverse("proforma:download", args=[case.reference, pdf.pk]),
        reverse("proforma:job", args=[case.reference, job.pk]),
    ]


@pytest.fixture
def kept(oscb):
    case = oscb.raise_case()
    pdf = proforma_render(case=case, section=1, by=case.raised_by)
    job = RenderJob.objects.create(
        case=case, requested_by=case.raised_by, requested_at=pdf.produced_at
    )
    return case, pdf, job


@pytest.mark.parametrize(("where", "role"), OUTSIDERS)
def test_every_case_url_is_404_for_outsiders_with_nothing_of_the_case(
    client, oscb, kept, where, role
):
    case, pdf, job = kept
    client.force_login(oscb.person(where, role))
    for url in _urls(case, pdf, job):
        for method in (client.get, client.post):
            response = method(url, {"part": "1"})
            body = response.content.decode()
            assert response.status_code == 404, url
            assert case.disagreement not in body
            assert pdf.sha256 not in body
            assert case.challenging_agency.name not in body
    assert DownloadLog.objects.count() == 0
    assert RenderedPdf.objects.count() == 1


def test_every_url_needs_sign_in(client, kept):
    case, pdf, job = kept
    for url in [*_urls(case, pdf, job), reverse("proforma:check")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_pdf_of_another_case_is_404_under_this_case(client, oscb, kept):
    case, _pdf, _job = kept
    other = oscb.raise_case(
        challenging_agency=oscb.unrelated, by=oscb.person("unrelated", Role.PRACTITIONER)
    )
    client.force_login(case.raised_by)
    response = client.get(reverse("proforma:download", args=[case.reference, 999999]))
    assert response.status_code == 404
    other_pdf = proforma_render(case=other, section=1, by=other.raised_by)
    response = client.get(reverse("proforma:download", args=[case.reference, other_pdf.pk]))
    assert response.status_code == 404
    assert DownloadLog.objects.count() == 0


def test_list_shows_each_pdf_with_its_hash(client, oscb, kept):
    case, pdf, _job = kept
    client.force_login(oscb.person("responding", Role.LINE_MANAGER))
    response = client.get(reverse("proforma:list", args=[case.reference]))
    body = response.content.decode()
    assert response.status_code == 200
    assert pdf.sha256 in body
    assert reverse("proforma:download", args=[case.reference, pdf.pk]) in body
    assert "The whole record (every section)" in body


def test_producing_a_section_renders_at_once(client, oscb):
    case = oscb.raise_case()
    client.force_login(case.raised_by)
    response = client.post(reverse("proforma:list", args=[case.reference]), {"part": "2"})
    assert response.status_code == 302
    pdf = RenderedPdf.objects.get()
    assert (pdf.case, pdf.section, pdf.produced_by) == (case, 2, case.raised_by)


def test_no_choice_is_an_error_on_the_page(client, oscb):
    case = oscb.raise_case()
    client.force_login(case.raised_by)
    response = client.post(reverse("proforma:list", args=[case.reference]), {})
    assert response.status_code == 200
    assert "Select a section or the whole record" in response.content.decode()
    assert RenderedPdf.objects.count() == 0


def test_the_whole_record_is_a_job_with_a_progress_page_then_the_download(
    client, oscb, django_capture_on_commit_callbacks
):
    case = oscb.raise_case()
    client.force_login(case.raised_by)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("proforma:list", args=[case.reference]), {"part": "whole"})
    job = RenderJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("proforma:job", args=[case.reference, job.pk])
    assert len(callbacks) == 1

    waiting = client.get(response.url).content.decode()
    assert "http-equiv" not in waiting  # no self-refresh: WCAG 2.2.1, timing adjustable
    assert "Refresh this page" in waiting
    assert "<script>" not in waiting

    render_record_task.apply(kwargs={"job_id": job.pk})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    ready = client.get(response.url).content.decode()
    assert "http-equiv" not in ready
    assert reverse("proforma:download", args=[case.reference, job.pdf_id]) in ready


def test_download_gives_the_kept_bytes_and_is_logged(client, oscb, kept):
    case, pdf, _job = kept
    reader = oscb.person("board", Role.BOARD_STAFF)
    client.force_login(reader)
    response = client.get(reverse("proforma:download", args=[case.reference, pdf.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{case.reference}-section-1.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == _bytes(pdf)
    log = DownloadLog.objects.get()
    assert (log.pdf, log.user) == (pdf, reader)


def _check(client, data: bytes):
    upload = SimpleUploadedFile("received.pdf", data, content_type="application/pdf")
    return client.post(reverse("proforma:check"), {"file": upload})


def test_check_page_says_yes_for_the_kept_copy_and_no_for_a_changed_one(client, oscb, kept):
    case, pdf, _job = kept
    data = _bytes(pdf)
    client.force_login(oscb.person("responding", Role.PRACTITIONER))

    yes = _check(client, data).content.decode()
    assert "Yes: this is a copy Resolve produced and kept." in yes
    assert case.reference in yes

    changed = data[:-20] + b"%changed" + data[-12:]
    no = _check(client, changed).content.decode()
    assert "No: this is not a copy you can check." in no
    assert case.reference not in no


@pytest.mark.parametrize(("where", "role"), OUTSIDERS)
def test_check_page_reveals_nothing_to_outsiders(client, oscb, kept, where, role):
    case, pdf, _job = kept
    client.force_login(oscb.person(where, role))
    body = _check(client, _bytes(pdf)).content.decode()
    assert "No: this is not a copy you can check." in body
    assert case.reference not in body
    assert "Yes:" not in body
    assert (
        pdf.produced_at.strftime("%Y") not in body.split("SHA-256 of the file")[0].split("</h1>")[1]
    )


def test_check_page_refuses_a_file_that_is_not_a_pdf(client, oscb):
    client.force_login(oscb.person("challenging", Role.PRACTITIONER))
    response = _check(client, b"plain text")
    body = response.content.decode()
    assert "The selected file must be a PDF" in body
    assert "There is a problem" in body
