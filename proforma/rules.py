"""Who may produce and download a case's PDFs: whoever may see the case (its parties, board
staff, and the partnership roles on its steps), as escalation.view_case says."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from escalation.rules import can_view_case

if TYPE_CHECKING:
    from proforma.models import RenderedPdf, RenderJob


@rules.predicate
def can_view_pdf_case(user: Any, pdf: RenderedPdf | RenderJob) -> bool:
    return bool(can_view_case.test(user, pdf.case))


rules.add_perm("proforma.produce_pdf", can_view_case)
rules.add_perm("proforma.download_pdf", can_view_pdf_case)
