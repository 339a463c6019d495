"""The access log: every read of a case is recorded, shown to those who may see the case, and
never changed or deleted through the product."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.enums import Role
from escalation.domain import case_log_read
from escalation.models import AccessLogChange, CaseAccess
from escalation.queries.case_page import case_reads
from proforma.services import proforma_render

pytestmark = pytest.mark.django_db


def _reads_section(body: str) -> str:
    """The page's "Who has looked at this case" section, to its end."""
    start = body.index('id="reads"')
    return body[start : body.index("</table>", start)]


def test_the_case_page_shows_who_has_looked(client, oscb):
    case = oscb.raise_case()
    manager = oscb.person("responding", Role.LINE_MANAGER)
    client.force_login(manager)
    client.get(reverse("escalation:case", args=[case.reference]))
    raiser = case.raised_by
    client.force_login(raiser)

    section = _reads_section(client.get(reverse("escalation:case", args=[case.reference])).text)

    assert "2 reads by 2 people." in section
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", section, re.S)[1:]
    cells = [
        [html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in rows
    ]
    # Names such as O'Brien are escaped on the page; the cells are compared as text.
    # Newest first: the raiser's read of this very page, then the manager's.
    assert [c[1:] for c in cells] == [
        [raiser.get_full_name(), oscb.challenging.name, "Case page"],
        [manager.get_full_name(), oscb.responding.name, "Case page"],
    ]


def test_a_name_with_an_apostrophe_or_markup_is_shown_escaped(client, oscb):
    case = oscb.raise_case()
    reader = oscb.person("responding", Role.LINE_MANAGER)
    reader.first_name, reader.last_name = "Siobhan", "O'Brien <b>"
    reader.save()
    client.force_login(reader)
    client.get(reverse("escalation:case", args=[case.reference]))
    client.force_login(case.raised_by)

    section = _reads_section(client.get(reverse("escalation:case", args=[case.reference])).text)

    assert "Siobhan O&#x27;Brien &lt;b&gt;" in section
    assert "<b>" not in section


def test_a_pdf_download_is_a_read_of_the_case(client, oscb):
    case = oscb.raise_case()
    pdf = proforma_render(case=case, section=1, by=case.raised_by)
    reader = oscb.person("board", Role.BOARD_STAFF)
    client.force_login(reader)

    response = client.get(reverse("proforma:download", args=[case.reference, pdf.pk]))

    assert response.status_code == 200
    assert list(CaseAccess.objects.filter(case=case).values_list("user", "what")) == [
        (reader.pk, "PDF download (step 1 section)")
    ]


def test_a_refused_download_is_not_logged_as_a_read(client, oscb):
    case = oscb.raise_case()
    pdf = proforma_render(case=case, section=1, by=case.raised_by)
    client.force_login(oscb.person("unrelated", Role.SAFEGUARDING_LEAD))

    response = client.get(reverse("proforma:download", args=[case.reference, pdf.pk]))

    assert response.status_code == 404
    assert CaseAccess.objects.count() == 0


def test_the_log_cannot_be_changed_or_deleted(oscb):
    case = oscb.raise_case()
    case_log_read(case=case, user=case.raised_by, what="case page")
    read = CaseAccess.objects.get()

    read.what = "nothing"
    with pytest.raises(AccessLogChange):
        read.save()
    with pytest.raises(AccessLogChange):
        read.delete()
    with pytest.raises(AccessLogChange):
        CaseAccess.objects.filter(case=case).update(what="nothing")
    with pytest.raises(AccessLogChange):
        CaseAccess.objects.filter(case=case).delete()
    # Deleting the reader would take their reads with them: refused (people are made inactive).
    with pytest.raises(ProtectedError):
        case.raised_by.delete()

    assert list(CaseAccess.objects.values_list("what", flat=True)) == ["case page"]


def test_who_has_looked_costs_the_same_queries_however_long_the_log(oscb):
    case = oscb.raise_case()
    readers = [oscb.person(where, Role.LINE_MANAGER) for where in ("challenging", "responding")]
    case_log_read(case=case, user=readers[0], what="case page")
    with CaptureQueriesContext(connection) as few:
        short = case_reads(case=case)
    for n in range(40):
        case_log_read(case=case, user=readers[n % 2], what="case page")
    with CaptureQueriesContext(connection) as many:
        long = case_reads(case=case)

    assert (short.total, short.people, len(short.rows)) == (1, 1, 1)
    assert (long.total, long.people, len(long.rows)) == (41, 2, 20)
    assert len(many.captured_queries) == len(few.captured_queries) == 3
