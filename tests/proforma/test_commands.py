"""python manage.py proforma_pdf"""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import CommandError, call_command

from proforma.models import RenderedPdf
from proforma.services import CLI_NOTE
from tests.proforma.helpers import pdf_text

pytestmark = pytest.mark.django_db


def test_unknown_reference_is_a_clear_error(presets, tmp_path):
    with pytest.raises(CommandError, match="No case has the reference 'NOPE-2027-0001'"):
        call_command("proforma_pdf", "NOPE-2027-0001", "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_unknown_section_is_a_clear_error(ssab, tmp_path):
    case = ssab.raise_case()
    with pytest.raises(CommandError, match="has no section 7"):
        call_command(
            "proforma_pdf", case.reference, "--section", "7", "-o", str(tmp_path / "x.pdf")
        )


@pytest.mark.parametrize("section", [None, 1])
def test_writes_the_file_and_keeps_it_hashed_with_a_note(ssab, tmp_path, section):
    case = ssab.raise_case()
    out = tmp_path / "out.pdf"
    args = [case.reference, "-o", str(out)] + (["--section", str(section)] if section else [])
    call_command("proforma_pdf", *args, stdout=open(tmp_path / "log", "w"))  # noqa: SIM115
    data = out.read_bytes()
    pdf = RenderedPdf.objects.get()
    assert pdf.sha256 == hashlib.sha256(data).hexdigest()
    assert pdf.produced_by is None and pdf.note == CLI_NOTE
    assert pdf.section == section
    assert case.reference in pdf_text(data)
