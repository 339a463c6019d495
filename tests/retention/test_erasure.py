"""Retention: closed cases past RESOLVE_RETENTION_DAYS lose their subject identifiers and free
text (case, steps, learning, history, PDF files), the job records what it erased, and the
board's report gives the same figures afterwards."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from escalation.domain import case_withdraw
from escalation.models import Case, CaseStep, Learning
from proforma.services import proforma_render
from reports.report import build_report
from reports.selectors import ReportFilters
from retention.models import CaseErasure
from retention.services import erase_expired
from retention.tasks import erase_expired_task
from tests.factories import UserFactory
from tests.reports.scenario import LONDON, NOW, Scenario, build_scenario

# Six years (2,190 days) before Mon 3 Jan 2033 12:00 is Wed 5 Jan 2027 12:00: the scenario's
# cases closed before then are due (A 29 Dec, C 31 Dec, E withdrawn 30 Dec, G 4 Jan); B (6 Jan)
# and D (8 Jan) are not yet, and F is open.
MOMENT = dt.datetime(2033, 1, 3, 12, 0, tzinfo=LONDON)
DUE = {"A", "C", "E", "G"}
KEPT = {"B", "D", "F"}


@pytest.fixture
def scenario(oscb) -> Scenario:
    return build_scenario(oscb)


def identifiers_of(scenario: Scenario, name: str) -> list[str]:
    """The scenario's identifiers and texts that belong to case `name` (its reference aside:
    the reference is kept)."""
    case = scenario.cases[name]
    own = [
        case.subject_initials,
        case.challenging_record_number,
        case.responding_record_number,
        case.disagreement,
        case.impact,
        case.responding_professional,
    ]
    if name == "G":
        own += ["Dr Quentin Zebedee", "Xanthe at home"]
    if name == "D":
        own.append("Learning summary D")
    return [text for text in own if text]


def everything_kept_of(case: Case) -> str:
    """Every row Resolve keeps of a case, as text: the case, its steps, its learning, and
    every history row of them."""
    rows = [
        *Case.objects.filter(pk=case.pk).values(),
        *CaseStep.objects.filter(case=case).values(),
        *Learning.objects.filter(case=case).values(),
        *Case.history.filter(id=case.pk).values(),
        *CaseStep.history.filter(case_id=case.pk).values(),
    ]
    return json.dumps(rows, default=str)


def figures(scenario: Scenario) -> list[object]:
    report = build_report(partnership=scenario.world.partnership, filters=ReportFilters(), now=NOW)
    return [report.totals, *[(f.key, f.shown_rows()) for f in report.figures]]


@pytest.mark.django_db
def test_cases_past_the_period_lose_identifiers_and_texts(scenario):
    before = {name: everything_kept_of(case) for name, case in scenario.cases.items()}
    for name in DUE | KEPT:
        for text in identifiers_of(scenario, name):
            assert text in before[name], (name, text)  # the test looks where they are

    assert erase_expired(now=MOMENT) == len(DUE)

    for name in DUE:
        case = scenario.cases[name]
        kept = everything_kept_of(case)
        for text in identifiers_of(scenario, name):
            assert text not in kept, (name, text)
        assert case.reference in kept  # the reference, dates and outcomes remain
        erasure = CaseErasure.objects.get(case=case)
        assert erasure.kept_days == 6 * 365
        assert erasure.closed_at == case.closed_at
        assert "subject_initials" in erasure.erased["case"]
        assert "disagreement" in erasure.erased["case"]
        assert erasure.erased["history_rows"] >= 2
    for name in KEPT:
        assert everything_kept_of(scenario.cases[name]) == before[name], name
        assert not CaseErasure.objects.filter(case=scenario.cases[name]).exists()


@pytest.mark.django_db
def test_what_remains_is_the_structure(scenario):
    erase_expired(now=MOMENT)
    g = Case.objects.get(pk=scenario.cases["G"].pk)
    assert g.route_details == {"attended": "yes"}  # a choice stays; typed answers go
    assert CaseErasure.objects.get(case=g).erased["route_answers"] == [
        "dissenting-professional",
        "reason",
    ]
    assert g.status == "resolved" and g.closed_at is not None
    assert g.category and g.subject_kind and g.subject_age_band
    learning = Learning.objects.get(case=g)
    assert learning.summary == ""
    assert sorted(learning.themes) == ["Communication between agencies", "training"]
    assert learning.debrief_recommended and learning.case_review_recommended
    e = Case.objects.get(pk=scenario.cases["E"].pk)
    assert e.status == "withdrawn" and e.closed_reason == ""
    reasons = set(Case.history.filter(id=e.pk).values_list("history_change_reason", flat=True))
    assert "withdrawn" in reasons
    assert not any("Agreed after a call" in (r or "") for r in reasons)


@pytest.mark.django_db
def test_the_report_gives_the_same_figures_afterwards(scenario):
    before = figures(scenario)
    assert erase_expired(now=MOMENT) == len(DUE)
    assert figures(scenario) == before


@pytest.mark.django_db
def test_running_again_erases_nothing_more(scenario):
    assert erase_expired(now=MOMENT) == len(DUE)
    assert erase_expired(now=MOMENT) == 0
    assert erase_expired(now=MOMENT + dt.timedelta(days=1)) == 0
    assert CaseErasure.objects.count() == len(DUE)
    # Later, B and D come due; F, open, never does.
    assert erase_expired(now=MOMENT + dt.timedelta(days=10)) == 2
    assert not CaseErasure.objects.filter(case=scenario.cases["F"]).exists()


@pytest.mark.django_db
def test_the_period_is_a_setting(scenario, settings):
    settings.RESOLVE_RETENTION_DAYS = 30
    assert erase_expired(now=NOW) == 0  # 20 Jan 2027: nothing closed 30 days before
    assert erase_expired(now=NOW + dt.timedelta(days=30)) == 6
    assert CaseErasure.objects.filter(kept_days=30).count() == 6


@pytest.mark.django_db
def test_pdf_files_are_erased_and_their_rows_kept(oscb, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=LONDON), tick=False):
        case = oscb.raise_case(subject_initials="ZQ", disagreement="Zebra quilt text.")
        pdf = proforma_render(case=case, section=1, by=case.raised_by)
        case.refresh_from_db()
        case_withdraw(
            case=case, by=case.raised_by, reason="Settled.", expected_version=case.version
        )
    path = Path(pdf.file.path)
    assert path.exists()
    assert erase_expired(now=dt.datetime(2033, 1, 1, tzinfo=LONDON)) == 1
    assert not path.exists()
    pdf.refresh_from_db()
    assert not pdf.file and len(pdf.sha256) == 64  # the hash and date remain for checking
    assert CaseErasure.objects.get(case=case).erased["pdf_files"] == 1

    client = Client()
    client.force_login(case.raised_by)
    listing = client.get(reverse("proforma:list", args=[case.reference]))
    assert listing.status_code == 200 and "Erased" in listing.content.decode()
    download = client.get(reverse("proforma:download", args=[case.reference, pdf.pk]))
    assert download.status_code == 404
    page = client.get(reverse("escalation:case", args=[case.reference])).content.decode()
    assert "were erased after the retention period" in page
    assert "Zebra quilt" not in page and "ZQ" not in page


@pytest.mark.django_db
def test_the_command_lists_then_erases(scenario):
    with time_machine.travel(MOMENT, tick=False):
        out = StringIO()
        call_command("erase_expired", "--dry-run", stdout=out)
        assert f"{len(DUE)} case(s) closed more than 2190 days ago are due" in out.getvalue()
        for name in DUE:
            assert scenario.cases[name].reference in out.getvalue()
        assert CaseErasure.objects.count() == 0
        out = StringIO()
        call_command("erase_expired", stdout=out)
        assert f"Erased {len(DUE)} case(s)" in out.getvalue()
    assert CaseErasure.objects.count() == len(DUE)


@pytest.mark.django_db
def test_the_daily_task_runs_the_same(scenario):
    with time_machine.travel(MOMENT, tick=False):
        assert erase_expired_task.apply().get() == len(DUE)
    assert set(CaseErasure.objects.values_list("case__reference", flat=True)) == {
        scenario.cases[name].reference for name in DUE
    }


@pytest.mark.django_db
def test_the_record_of_erasures_cannot_be_changed_in_the_admin(scenario, client):
    erase_expired(now=MOMENT)
    erasure = CaseErasure.objects.first()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:retention_caseerasure_changelist")).status_code == 200
    change = reverse("admin:retention_caseerasure_change", args=[erasure.pk])
    assert client.get(change).status_code == 200  # to read
    assert client.post(change, {"kept_days": 1}).status_code == 403
    delete = reverse("admin:retention_caseerasure_delete", args=[erasure.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    erasure.refresh_from_db()
    assert erasure.kept_days == 6 * 365
