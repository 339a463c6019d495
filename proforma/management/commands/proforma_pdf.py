"""python manage.py proforma_pdf REFERENCE [--section N] -o FILE

Renders a section or the whole record of a case from the command line. No person is signed
in, so there is no permission check; the PDF is still kept with its SHA-256, with no
producer and a note saying it came from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from escalation.errors import CaseError
from escalation.models import Case
from proforma.services import proforma_render


class Command(BaseCommand):
    help = "Render a case's pro forma (one section or the whole record) to a PDF file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="The case reference, e.g. OXF-2027-0001.")
        parser.add_argument(
            "--section", type=int, default=None, help="The step number whose section to render."
        )
        parser.add_argument("-o", "--output", required=True, help="Where to write the PDF.")

    def handle(self, *args: Any, **options: Any) -> None:
        reference = options["reference"].strip()
        cases = list(Case.objects.filter(reference=reference)[:2])
        if not cases:
            raise CommandError(f"No case has the reference {reference!r}.")
        try:
            pdf = proforma_render(case=cases[0], section=options["section"], by=None)
        except CaseError as error:
            raise CommandError(error.message) from error
        target = Path(options["output"])
        with pdf.file.open("rb") as source:
            target.write_bytes(source.read())
        self.stdout.write(f"Wrote {target} ({pdf.size} bytes, SHA-256 {pdf.sha256}).")
