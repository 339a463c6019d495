"""The pages no other journey reaches, in real Chromium, each as the person it is for: choosing
which agency you raise for; the raise pages that raise nothing (a matter the OSCB procedure
sends elsewhere, a route the answers rule out); the notifications inbox; the board's report
and its exports; the pro forma's PDFs, the whole-record job and the check of a PDF received.
axe-core scans every page (tests/e2e/conftest.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from agencies.enums import Role
from tests.e2e.browser import Visitor
from tests.e2e.flows import Challenge, answer_raise_pages, download, open_case, signed_in
from tests.factories import MembershipFactory

DISSENT = "Dissent at a Child Protection Conference"


def test_raising_for_one_of_two_agencies_and_the_routes_that_raise_nothing(visitor, make_world):
    world = make_world("oscb-children")
    practitioner = world.person("challenging", Role.PRACTITIONER)
    MembershipFactory(user=practitioner, agency=world.unrelated, role=Role.PRACTITIONER)
    v = visitor

    with signed_in(v, practitioner):
        # Two agencies: the first page asks which one the challenge is raised for.
        v.click_link("Raise a challenge")
        assert v.path() == "/raise/"
        assert v.heading() == "Which agency are you raising this challenge for?"
        v.click_button("Continue")  # nothing chosen: the error summary
        assert v.page.title().startswith("Error: ")
        summary = v.page.locator(".govuk-error-summary")
        assert "Select the agency you are raising this challenge for" in summary.inner_text()
        v.choose(world.challenging.name)
        v.click_button("Continue")
        assert v.heading() == "Which kind of disagreement is it?"

        # Back from the first question: the same question, inside the raising, to change it.
        v.click_link("Back")
        assert v.path().endswith("/for/")
        chosen = v.page.get_by_label(world.challenging.name, exact=True)
        assert chosen.is_checked()
        v.choose(world.unrelated.name)
        v.click_button("Continue")
        assert v.heading() == "Which kind of disagreement is it?"

        # OSCB section 7: gaps in provision go to the forums and panels, not to this route.
        v.choose_in(
            "Which kind of disagreement is it?",
            "Not for this procedure: Gaps in provision (section 7)",
        )
        v.click_button("Continue")
        assert v.heading() == "Gaps in provision (section 7) is not for this procedure"
        shown = v.main_text()
        assert "Nothing has been raised." in shown
        assert "Where to go instead" in shown
        assert "MARAC, MAPPA" in v.page.locator("main .govuk-inset-text").inner_text()
        v.click_link("Choose a kind of disagreement")

        # A dissent at a conference by someone who did not attend cannot use its route.
        reached = answer_raise_pages(
            v,
            Challenge(
                route=DISSENT,
                responding_agency=world.responding.name,
                professional="H. Conference Chair",
                subject_kind="Child",
                initials="EF",
                age="Under 1",
                category="Outcomes of assessments",
                disagreement="unused: the route is refused first",
                impact="unused",
                answers={"Did the dissenting professional attend the conference?": "No"},
                on_page=lambda key, page: raising_for_police(key, page, world),
            ),
        )
        assert reached is None
        assert "/cannot-use-route/attended/no/" in v.path()
        assert v.heading() == "You cannot use this route"
        assert v.page.locator("main .govuk-caption-l").inner_text() == (
            f"Raise a challenge: {DISSENT}"
        )
        shown = v.main_text()
        assert "The dissenting professional did not attend" in shown
        assert "Use the standard route for a disagreement about the plan." in shown
        assert "Nothing has been raised." in shown
        v.click_link(
            'Change your answer to "Did the dissenting professional attend the conference?"'
        )
        assert v.heading() == "Did the dissenting professional attend the conference?"
        assert not v.page.get_by_label("No", exact=True).is_checked()  # the refusal is not kept
        v.choose("No")
        v.click_button("Continue")
        assert v.heading() == "You cannot use this route"
        v.click_link("Go to your work")
        assert "You have no open cases." in v.main_text()


def raising_for_police(key: str, v: Visitor, world: Any) -> None:
    """Raising for the police now: the agencies to disagree with are the other two."""
    if key != "agency":
        return
    options = v.page.locator("main .govuk-radios__label").all_inner_texts()
    assert [o.strip() for o in options] == [world.responding.name, world.challenging.name]


def deliver_notifications() -> int:
    """Deliver every pending outbox row here, as a Celery worker would (the journeys run with
    the in-memory broker, which no worker reads)."""
    from notifications.enums import OutboxStatus
    from notifications.models import OutboxMessage
    from notifications.services import outbox_deliver

    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).order_by("pk")
    return len([outbox_deliver(outbox_id=pk) for pk in list(pending.values_list("pk", flat=True))])


def unread_in_menu(v: Visitor) -> str:
    link = v.page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name=re.compile(r"^Notifications")
    )
    return str(link.inner_text()).strip()


def test_notifications_inbox_mark_one_then_all_as_read(visitor, make_world):
    world = make_world("sab-adults")
    first, second = world.raise_case(), world.raise_case()
    assert deliver_notifications() >= 2
    responder = world.person("responding", Role.PRACTITIONER)
    v = visitor

    with signed_in(v, world.person("unrelated", Role.PRACTITIONER)):
        v.click_link("Notifications")
        assert v.heading() == "Notifications"
        assert "You have no notifications." in v.main_text()
        assert v.page.get_by_role("button", name="Mark all as read").count() == 0

    with signed_in(v, responder):
        assert unread_in_menu(v).startswith("Notifications 2")
        v.click_link(re.compile(r"^Notifications"))
        assert v.heading() == "Notifications"
        table = v.page.locator("main table")
        assert table.locator("caption").inner_text() == "Newest first: 2 unread"
        titles = table.locator("tbody tr td:first-child a").all_inner_texts()
        assert titles == [f"New case {second.reference}", f"New case {first.reference}"]
        assert v.tags() == ["Unread", "Unread"]

        # Each button's name says which notification it marks (the words are hidden on screen).
        mark_first = re.compile(rf"^Mark as read New case {re.escape(first.reference)}$")
        v.click_button(mark_first)
        assert v.path() == "/notifications/"
        assert v.tags() == ["Unread", "Read"]
        assert table.locator("caption").inner_text() == "Newest first: 1 unread"
        assert unread_in_menu(v).startswith("Notifications 1")
        assert v.page.get_by_role("button", name=re.compile(r"^Mark as read")).count() == 1

        v.click_button("Mark all as read")
        assert "1 notification marked as read" in v.banner()
        assert v.tags() == ["Read", "Read"]
        assert unread_in_menu(v) == "Notifications"
        assert v.page.get_by_role("button", name=re.compile(r"^Mark")).count() == 0

        v.click_link(f"New case {second.reference}")
        assert v.heading() == f"Case {second.reference}"


def test_board_report_filters_and_its_exports(visitor, make_world, settings, tmp_path):
    world = make_world("oscb-children")
    at_risk = world.raise_case(risk_of_significant_harm=True)
    world.raise_case()
    v = visitor

    # Not for a practitioner: the 403 page.
    with signed_in(v, world.person("challenging", Role.PRACTITIONER)):
        assert v.page.get_by_role("link", name="Reports").count() == 0
        v.open("/reports/", status=403)
        assert v.heading() == "You cannot do that"

    with signed_in(v, world.person("board", Role.BOARD_STAFF)):
        v.click_link("Reports")
        assert v.heading() == "Board report"
        assert v.page.locator("#total-cases").inner_text() == "2"
        assert v.page.locator("main section h2").count() >= 1

        # A period that ends before it starts: the error summary, no figures.
        show_filters(v)
        v.fill("Raised from", "2027-03-10")
        v.fill("Raised to (included)", "2027-03-01")
        v.click_button("Apply filters")
        summary = v.page.locator(".govuk-error-summary")
        assert "The end of the period must be on or after its start" in summary.inner_text()
        target = str(summary.get_by_role("link").first.get_attribute("href"))
        assert v.page.locator(target).get_attribute("name") == "raised_to"
        assert v.page.locator("#total-cases").count() == 0
        v.click_link("Clear filters")

        show_filters(v)
        v.select("Risk of significant harm", "Yes")
        v.click_button("Apply filters")
        assert v.page.locator("#total-cases").inner_text() == "1"
        assert at_risk.reference not in v.main_text()  # figures, never a case

        # A small export comes at once, as a file.
        csv = download(v, v.page.get_by_role("button", name="Download CSV"), tmp_path)
        assert re.fullmatch(r"resolve-report-oxf-\d{8}-\d{4}\.csv", csv.name), csv.name
        assert "Risk of significant harm" in csv.read_text(encoding="utf-8")

        # Over the threshold, the export is a job with a page of its own.
        settings.REPORTS_EXPORT_ASYNC_THRESHOLD = 0
        v.click_button("Download Excel (XLSX)")
        assert v.heading() == "Your Excel (XLSX) export"
        assert "Your export of 1 case is waiting to start." in v.main_text()
        progress = v.page.get_by_label("Progress: 0%")
        assert progress.get_attribute("value") == "0"
        job_id = v.path().split("/")[3]
        from reports.services import export_run

        v.page.evaluate("window.resolveSamePage = true")  # gone if the page reloads
        export_run(job_id=job_id)  # as the worker would
        # The page asks again by itself (static/js/job-status.mjs): the download appears in
        # place, and a short sentence is announced.
        v.page.get_by_role("heading", name="Your export is ready").wait_for(timeout=20_000)
        assert v.page.evaluate("window.resolveSamePage") is True
        assert (
            v.page.locator("#job-status-announce").inner_text()
            == "Your export is ready to download."
        )
        xlsx = download(
            v, v.page.get_by_role("link", name="Download the Excel (XLSX) file"), tmp_path
        )
        assert xlsx.suffix == ".xlsx"
        assert xlsx.read_bytes().startswith(b"PK")  # a zip, as every XLSX file is
        v.click_link("Back to the board report")
        assert v.heading() == "Board report"


def test_board_report_lists_the_learning_in_words_by_theme(visitor, make_world):
    world = make_world("oscb-children")
    case = world.raise_case(subject_initials="QZ")
    statement = "Both teams need training on the referral pathway."
    world.resolve(case, by=case.raised_by, learning=statement, themes=["training"])
    named = world.raise_case(subject_initials="QZ")
    world.resolve(
        named, by=named.raised_by, learning="QZ was not seen at home.", themes=["training"]
    )
    v = visitor
    with signed_in(v, world.person("board", Role.BOARD_STAFF)):
        v.click_link("Reports")
        section = v.page.locator("#statements")
        assert statement in section.inner_text()
        assert "1 statement was withheld" in section.inner_text()
        assert "QZ" not in v.main_text()

        show_filters(v)
        v.select("Learning theme", "Gaps in provision")
        v.click_button("Apply filters")
        assert "No learning statements to list" in v.page.locator("#statements").inner_text()
        show_filters(v)
        v.select("Learning theme", "Training")
        v.click_button("Apply filters")
        assert statement in v.page.locator("#statements").inner_text()


def test_proforma_pdfs_the_whole_record_job_and_the_check(
    new_visitor, make_world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world("oscb-children")
    case = world.raise_case()
    v = new_visitor()

    with signed_in(v, case.raised_by):
        open_case(v, case.reference)
        v.open(f"/cases/{case.reference}/pdf/")
        assert v.heading() == (  # the OSCB's own name for its record
            f"Record of the progress of the disagreement: case {case.reference}"
        )
        assert "No PDF has been produced for this case yet." in v.main_text()

        v.click_button("Produce PDF")  # nothing chosen: the error summary
        assert v.page.title().startswith("Error: ")
        summary = v.page.locator(".govuk-error-summary")
        assert "Select a section or the whole record" in summary.inner_text()

        v.choose("Step 1 - Challenging professional with their peer in the other agency")
        v.click_button("Produce PDF")
        assert "Section 1 produced: download it below." in v.banner()
        rows = v.page.locator("main table tbody tr")
        assert rows.count() == 1
        assert rows.first.locator("td").first.inner_text() == "Section 1"
        sha = rows.first.locator("code").inner_text()
        assert re.fullmatch(r"[0-9a-f]{64}", sha)
        section = download(
            v, rows.first.get_by_role("link", name=re.compile("^Download")), tmp_path
        )
        assert section.name == f"{case.reference}-section-1.pdf"
        assert section.read_bytes().startswith(b"%PDF-")

        # The whole record is a job: its page shows progress, then the download.
        v.choose("The whole record (every section)")
        v.click_button("Produce PDF")
        assert v.heading() == "The whole record as PDF"
        assert v.tags() == ["Waiting to start"]
        assert "When the PDF is ready, a download link appears on this page." in v.main_text()
        assert v.page.locator('meta[http-equiv="refresh"]').count() == 0  # WCAG 2.2.1
        job_id = int(v.path().rstrip("/").split("/")[-1])
        from proforma.services import proforma_run_job

        v.page.evaluate("window.resolveSamePage = true")  # gone if the page reloads
        assert proforma_run_job(job_id=job_id).status == "done"  # as the worker would
        # The page asks again by itself (static/js/job-status.mjs) and shows the download in
        # place, without reloading; a short sentence is announced to screen readers.
        v.page.get_by_role("heading", name="Your PDF is ready").wait_for(timeout=20_000)
        assert v.page.evaluate("window.resolveSamePage") is True
        assert (
            v.page.locator("#job-status-announce").inner_text() == "Your PDF is ready to download."
        )
        assert "Your PDF is ready" in v.main_text()
        record = download(
            v,
            v.page.get_by_role("link", name=f"Download the whole record of case {case.reference}"),
            tmp_path,
        )
        assert record.name == f"{case.reference}-record.pdf"
        v.click_link(f"All PDFs of case {case.reference}")
        assert v.page.locator("main table tbody tr").count() == 2

        # The check: the copy Resolve produced is recognised; a changed copy is not.
        v.click_link("Check a PDF you received")
        assert v.heading() == "Check a PDF you received"
        v.click_button("Check the PDF")  # no file: the error summary
        assert v.page.title().startswith("Error: ")
        assert "Select a PDF file" in v.page.locator(".govuk-error-summary").inner_text()
        check_pdf(v, section)
        assert "Yes: this is a copy Resolve produced and kept." in v.banner()
        assert f"Case {case.reference}, section 1, produced" in v.banner()
        assert sha in v.main_text()

        changed = tmp_path / "changed.pdf"
        changed.write_bytes(flip_one_byte(section.read_bytes()))
        check_pdf(v, changed)
        assert "No: this is not a copy you can check." in v.banner()
        assert sha not in v.main_text()

        check_pdf(v, record)
        assert f"Case {case.reference}, the whole record, produced" in v.banner()

    # Someone who may not see the case learns nothing from its genuine copy.
    outsider = new_visitor()
    with signed_in(outsider, world.person("unrelated", Role.SAFEGUARDING_LEAD)):
        outsider.open("/pdf/check/")
        check_pdf(outsider, section)
        assert "No: this is not a copy you can check." in outsider.banner()
        assert case.reference not in outsider.main_text()
        outsider.open(f"/cases/{case.reference}/pdf/", status=404)


def show_filters(v: Visitor) -> None:
    """Open the report's "Filter the cases" details, unless it is open already."""
    details = v.page.locator("main details", has_text="Filter the cases")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    assert details.get_attribute("open") is not None


def check_pdf(v: Visitor, path: Path) -> None:
    v.page.get_by_label("Upload the PDF you received").set_input_files(str(path))
    v.click_button("Check the PDF")
    assert v.heading() == "Check a PDF you received"


def flip_one_byte(data: bytes) -> bytes:
    """The same file with one byte in the middle changed (what is shown may not change)."""
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
