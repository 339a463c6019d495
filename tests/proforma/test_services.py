"""Producing, keeping and checking the pro forma's PDFs."""

from __future__ import annotations

import hashlib
import io
import threading
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from agencies.enums import Role
from escalation.domain.policy_files import preset_files
from escalation.errors import InvalidInput, NotAllowed
from escalation.models import Case
from escalation.queries.policies import policy_spec
from proforma.enums import JobStatus
from proforma.models import DownloadLog, RenderedPdf, RenderJob
from proforma.record import record_view
from proforma.services import (
    _renderer,
    pdf_from_html,
    proforma_html,
    proforma_open_for_download,
    proforma_queue_record,
    proforma_render,
    proforma_run_job,
    proforma_verify,
)
from proforma.tasks import render_record_task
from tests.escalation.world import preset_world
from tests.proforma.helpers import climb_with_records, pdf_text, squash, write_record

pytestmark = pytest.mark.django_db

SECTION_1 = {
    "implementing-line-manager": "Ann Lee, Team Manager, Hillside Health",
    "contacted-line-manager": "Raj Patel, Duty Manager, County Social Care",
    "contacted-telephone": "01632 960 001",
    "contacted-email": "raj.patel@example.org",
    "summary": "We met on Tuesday. Health asked for an assessment; social care agreed to one.",
    "resolution-reached": "yes",
}


def _bytes(pdf: RenderedPdf) -> bytes:
    with pdf.file.open("rb") as handle:
        return handle.read()


def _in_order(text: str, needles: list[str]) -> None:
    """Every needle is in the text, each after the one before."""
    at = 0
    for needle in needles:
        found = text.find(squash(needle), at)
        assert found >= 0, f"{needle!r} missing after position {at}"
        at = found + len(squash(needle))


def test_ssab_section_1_holds_every_label_and_value_in_order(ssab):
    case = ssab.raise_case()
    signer = ssab.person("challenging", Role.LINE_MANAGER)
    case = write_record(ssab, case, SECTION_1, by=signer)
    step = case.steps.get(number=1)

    pdf = proforma_render(case=case, section=1, by=case.raised_by)
    text = squash(pdf_text(_bytes(pdf)))

    fields = policy_spec(case.policy_version).record_sections["section-1"]["fields"]
    expected: list[str] = [policy_spec(case.policy_version).record_sections["section-1"]["title"]]
    for field in fields:
        expected.append(field["label"])
        if field["kind"] == "yes_no":
            expected += ["Yes", "X", "No"]  # the cross is in the Yes box
        elif field["kind"] == "signature":
            expected += [signer.get_full_name(), "Line manager, Hillside Health"]
        elif field["kind"] == "date":
            expected.append(f"{step.recorded_at.astimezone().day} ")
        else:
            expected.append(SECTION_1[field["slug"]])
    _in_order(text, expected)
    assert "Section 2" not in text  # one section only
    assert case.partnership.name in text
    assert text.count("OFFICIAL-SENSITIVE") == 2  # top and bottom of its one page
    assert f"Case {case.reference}" in text
    assert "Page 1 of 1" in text


@pytest.mark.parametrize("slug", [file.stem for file in preset_files()])
def test_whole_record_lists_every_section_and_label_of_the_policy_in_order(presets, slug):
    world = preset_world(presets, slug)
    case = climb_with_records(world, world.raise_case())

    pdf = proforma_render(case=case, section=None, by=case.raised_by)
    data = _bytes(pdf)
    text = squash(pdf_text(data))

    spec = policy_spec(case.policy_version)
    route = spec.route(case.route)
    expected: list[str] = []
    for step in sorted(route.steps, key=lambda s: s.number):
        section = spec.record_sections[step.record_section]
        expected.append(section["title"])
        expected += [f["label"] for f in section["fields"]]
    _in_order(text, expected)
    last = route.ladder[-1].number
    assert f"Concerns at step {last}." in text
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert f"Page {pages} of {pages}" in text
    assert text.count("OFFICIAL-SENSITIVE") == 2 * pages


def test_pdf_is_tagged_with_language_and_title(oscb):
    case = oscb.raise_case()
    pdf = proforma_render(case=case, section=None, by=case.raised_by)
    reader = PdfReader(io.BytesIO(_bytes(pdf)))
    catalog: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata.title == (
        f"Record of the progress of the disagreement, case {case.reference}: whole record"
    )
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp  # the PDF/UA-1 identification


def test_stored_sha256_and_size_are_the_files(oscb):
    case = oscb.raise_case()
    pdf = proforma_render(case=case, section=1, by=case.raised_by)
    data = _bytes(pdf)
    assert pdf.sha256 == hashlib.sha256(data).hexdigest()
    assert pdf.size == len(data)
    assert pdf.produced_by == case.raised_by
    assert pdf.file.name.startswith(f"proforma/OXF/{case.reference}/")
    assert data.startswith(b"%PDF-1.7")


def test_a_section_not_filled_yet_renders_blank_boxes(ssab):
    case = ssab.raise_case()
    pdf = proforma_render(case=case, section=3, by=case.raised_by)
    text = squash(pdf_text(_bytes(pdf)))
    assert "Section 3 - Stage Three of Resolving Professional Differences" in text
    assert "Not reached: this section is blank." in text
    assert "Name of Strategic Safeguarding Manager" in text
    section = text.split("Section 3 - Stage Three of Resolving Professional Differences", 1)[1]
    assert " X " not in f" {section} "  # neither Yes nor No is crossed in the section
    assert "Risk of significant harm Yes No X" in text  # only the summary's risk is answered


def test_a_section_the_route_lacks_is_refused(ssab):
    case = ssab.raise_case()
    with pytest.raises(InvalidInput, match="no section 9: its sections are 1, 2, 3, 4"):
        proforma_render(case=case, section=9, by=case.raised_by)
    assert RenderedPdf.objects.count() == 0


def test_a_signature_comes_from_the_step_never_from_typed_text(ssab):
    case = ssab.raise_case()
    signer = ssab.person("responding", Role.LINE_MANAGER)
    with pytest.raises(InvalidInput, match="is not typed"):
        write_record(ssab, case, {**SECTION_1, "signature": "Typed By Hand"}, by=signer)
    case = write_record(ssab, case, SECTION_1, by=signer)
    text = squash(pdf_text(_bytes(proforma_render(case=case, section=1, by=signer))))
    assert "Typed By Hand" not in text
    assert (
        f"{signer.get_full_name()} (Line manager, County Social Care), confirmed in Resolve" in text
    )


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("unrelated", Role.SAFEGUARDING_LEAD),
        ("elsewhere", Role.BOARD_STAFF),
        ("board", Role.PARTNERSHIP_ADMIN),
    ],
)
def test_people_who_may_not_see_the_case_cannot_produce(oscb, where, role):
    case = oscb.raise_case()
    with pytest.raises(NotAllowed):
        proforma_render(case=case, section=1, by=oscb.person(where, role))
    with pytest.raises(NotAllowed):
        proforma_queue_record(case=case, by=oscb.person(where, role))
    assert RenderedPdf.objects.count() == 0
    assert RenderJob.objects.count() == 0


def test_board_staff_and_the_responding_agency_may_produce(oscb):
    case = oscb.raise_case()
    for person in (
        oscb.person("board", Role.BOARD_STAFF),
        oscb.person("responding", Role.PRACTITIONER),
    ):
        assert proforma_render(case=case, section=1, by=person).produced_by == person


def test_verify_says_yes_for_the_kept_copy_and_no_for_a_changed_one(oscb):
    case = oscb.raise_case()
    pdf = proforma_render(case=case, section=1, by=case.raised_by)
    data = _bytes(pdf)
    reader = oscb.person("responding", Role.LINE_MANAGER)

    check = proforma_verify(data=data, user=reader)
    assert check.is_known and check.pdf == pdf

    middle = len(data) // 2
    changed = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
    assert changed != data
    assert not proforma_verify(data=changed, user=reader).is_known


def test_verify_reveals_nothing_to_someone_who_may_not_see_the_case(oscb):
    case = oscb.raise_case()
    data = _bytes(proforma_render(case=case, section=1, by=case.raised_by))
    check = proforma_verify(data=data, user=oscb.person("unrelated", Role.SAFEGUARDING_LEAD))
    assert check.pdf is None
    assert check.sha256 == hashlib.sha256(data).hexdigest()


def test_verify_refuses_a_file_that_is_not_a_pdf(oscb):
    with pytest.raises(InvalidInput, match="must be a PDF"):
        proforma_verify(data=b"hello", user=oscb.person("challenging", Role.PRACTITIONER))


def test_download_is_logged_and_refused_to_others(oscb):
    case = oscb.raise_case()
    pdf = proforma_render(case=case, section=1, by=case.raised_by)
    reader = oscb.person("responding", Role.SENIOR_MANAGER)
    with proforma_open_for_download(pdf=pdf, by=reader) as handle:
        assert handle.read() == _bytes(pdf)
    log = DownloadLog.objects.get()
    assert (log.pdf, log.user) == (pdf, reader)
    with pytest.raises(NotAllowed):
        proforma_open_for_download(pdf=pdf, by=oscb.person("unrelated", Role.PRACTITIONER))
    assert DownloadLog.objects.count() == 1


def test_the_whole_record_job_renders_once(oscb, django_capture_on_commit_callbacks):
    case = oscb.raise_case()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = proforma_queue_record(case=case, by=case.raised_by)
    assert len(callbacks) == 1  # the task is queued after commit
    assert job.status == JobStatus.QUEUED

    result = render_record_task.apply(kwargs={"job_id": job.pk})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert result.get() == job.pdf_id
    assert job.pdf.section is None and job.pdf.produced_by == case.raised_by

    proforma_run_job(job_id=job.pk)  # delivered twice: nothing more
    assert RenderedPdf.objects.count() == 1


def test_a_job_for_someone_who_lost_access_fails_with_a_reason(oscb):
    case = oscb.raise_case()
    person = oscb.person("responding", Role.PRACTITIONER)
    job = proforma_queue_record(case=case, by=person)
    person.memberships.all().delete()
    person._resolve_seats = None
    job = proforma_run_job(job_id=job.pk)
    assert job.status == JobStatus.FAILED
    assert "cannot produce" in job.error
    assert RenderedPdf.objects.count() == 0


def _queries_to_read_the_record(case: Case) -> int:
    case = Case.objects.select_related("partnership", "policy_version").get(pk=case.pk)
    with CaptureQueriesContext(connection) as queries:
        record_view(case=case, section=None)
    return len(queries.captured_queries)


def test_reading_the_record_takes_the_same_queries_however_many_steps_were_signed(oscb):
    fresh = oscb.raise_case()
    climbed = climb_with_records(oscb, oscb.raise_case())
    signed = climbed.steps.exclude(recorded_by=None).count()
    assert signed == 5  # steps 1 to 5 confirmed, by several people
    assert _queries_to_read_the_record(climbed) == _queries_to_read_the_record(fresh) + 1
    # the one more: the signers' seats, read once for the whole record


def test_the_font_configuration_and_stylesheet_are_made_once_per_thread():
    first = _renderer()
    assert _renderer() is first
    elsewhere: list[Any] = []
    thread = threading.Thread(target=lambda: elsewhere.append(_renderer()))
    thread.start()
    thread.join()
    assert elsewhere[0] is not first
    assert elsewhere[0].fonts is not first.fonts


def test_a_render_after_the_first_is_byte_for_byte_the_same_apart_from_its_dates(oscb):
    """The kept font configuration changes no output: the same page rendered twice in one
    thread differs only in the creation and modification dates WeasyPrint writes."""
    case = oscb.raise_case()
    html = proforma_html(case=case, section=1)
    first, second = pdf_from_html(html), pdf_from_html(html)
    assert squash(pdf_text(first)) == squash(pdf_text(second))
    assert len(first) == len(second)
