"""The board report over 100,000 cases in PostgreSQL: the page's time and the XLSX export's.

Bulk-creates a partnership with 100,000 cases (steps and learning too) in the bench database,
times GET /reports/ as its board staff and the XLSX export (what the export job does), then
deletes everything it made. Figures: report_ms_100k and export_xlsx_ms_100k (best of 3), and
report_queries_100k (the page's SQL queries: a fixed few, whatever the number of cases).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from typing import Any

from bench.bulk import case_template

CASES = 100_000
CODE = "benchrpt"
RUNS = 3


def _populate() -> Any:
    from django.core.management import call_command
    from django.db import connection

    from agencies.enums import AgencyKind, Role
    from agencies.models import Agency, Membership, Partnership
    from escalation.models import Case, CaseStep, Learning, Policy
    from reports.themes import Theme
    from tests.factories import UserFactory

    call_command("load_policies", verbosity=0)
    policy = Policy.objects.get(slug="oscb-children")
    version = policy.versions.order_by("-number").first()
    partnership = Partnership.objects.create(
        name="Bench Report Partnership", code=CODE, nation="england", adopted_policy=policy
    )
    agencies = [
        Agency.objects.create(partnership=partnership, name=f"Bench agency {i}", kind=kind)
        for i, kind in enumerate(
            [AgencyKind.POLICE, AgencyKind.HEALTH, AgencyKind.CHILDRENS_SOCIAL_CARE]
            + [AgencyKind.SCHOOL] * 5
        )
    ]
    board_agency = Agency.objects.create(
        partnership=partnership, name="Bench board", kind=AgencyKind.PARTNERSHIP
    )
    raiser = UserFactory(username=f"{CODE}-raiser")
    board = UserFactory(username=f"{CODE}-board")
    Membership.objects.create(user=raiser, agency=agencies[0], role=Role.PRACTITIONER)
    Membership.objects.create(user=board, agency=board_agency, role=Role.BOARD_STAFF)

    rng = random.Random(7)
    start = dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)
    categories = ["criteria-for-referrals", "outcomes-of-assessments", "service-provision"]
    themes = [t.value for t in Theme]
    cases = []
    plan = []  # (steps reached, status)
    for n in range(CASES):
        a, b = rng.sample(agencies, 2)
        raised = start + dt.timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        status = rng.choices(["resolved", "withdrawn", "open"], [6, 1, 3])[0]
        days = rng.randrange(0, 60)
        closed = raised + dt.timedelta(days=days * 7 / 5) if status != "open" else None
        reached = rng.choices([1, 2, 3, 4, 5], [50, 25, 15, 7, 3])[0]
        plan.append((reached, status, raised, closed))
        case = case_template(
            partnership=partnership,
            version=version,
            challenging_agency=a,
            raised_by=raiser,
            responding_agency=b,
            raised_at=raised,
        )
        case.reference = f"BENCH-{n:06d}"
        case.route = "conference-dissent" if n % 20 == 0 else "standard"
        case.category = rng.choice(categories)
        case.risk_of_significant_harm = n % 9 == 0
        case.status = status
        case.version = 1
        case.closed_at = closed
        case.working_days_to_close = days if closed else None
        cases.append(case)
    Case.objects.bulk_create(cases, batch_size=5000)
    steps, learning = [], []
    for case, (reached, status, raised, closed) in zip(cases, plan, strict=True):
        at = raised
        for number in range(1, reached + 1):
            last = number == reached
            end = closed if last else at + dt.timedelta(days=rng.randrange(1, 10))
            steps.append(
                CaseStep(
                    case=case,
                    number=number,
                    name=f"Step {number}",
                    started_at=at,
                    due_at=at + dt.timedelta(days=7),
                    completed_at=end,
                    outcome=("resolved" if status == "resolved" else status)
                    if last and end
                    else ("escalated" if not last else ""),
                )
            )
            at = end or at
        if status == "resolved":
            learning.append(
                Learning(
                    case=case,
                    summary="Bench",
                    themes=rng.sample(themes, rng.randrange(0, 3)),
                    debrief_recommended=rng.random() < 0.2,
                    recorded_at=closed,
                    recorded_by=raiser,
                )
            )
    CaseStep.objects.bulk_create(steps, batch_size=5000)
    Learning.objects.bulk_create(learning, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE escalation_case c SET current_step_id = last.id FROM ("
            " SELECT DISTINCT ON (s.case_id) s.case_id, s.id FROM escalation_casestep s"
            " JOIN escalation_case k ON k.id = s.case_id WHERE k.partnership_id = %s"
            " ORDER BY s.case_id, s.number DESC) last WHERE last.case_id = c.id",
            [partnership.pk],
        )
    _vacuum()  # as autovacuum would, after the UPDATE above left a dead row per case
    return partnership, board


BENCH_TABLES = ("escalation_case", "escalation_casestep", "escalation_learning")


def _vacuum() -> None:
    """VACUUM (ANALYZE) the tables the report reads. Without it the figures measured the
    bench's own debris: each run's 100,000 deleted and 100,000 updated rows stayed in the
    heap (autovacuum had not yet run), so every run scanned a bigger table than the last."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in BENCH_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def _clean_up() -> None:
    from django.db import connection

    from agencies.models import Partnership

    partnership = Partnership.objects.filter(code=CODE).first()
    if partnership is None:
        return
    with connection.cursor() as cursor:
        pid = [partnership.pk]
        cursor.execute(
            "UPDATE escalation_case SET current_step_id = NULL WHERE partnership_id = %s", pid
        )
        for table in ("escalation_learning", "escalation_casestep", "escalation_caseaccess"):
            cursor.execute(
                f"DELETE FROM {table} t USING escalation_case c "
                "WHERE t.case_id = c.id AND c.partnership_id = %s",
                pid,
            )
        cursor.execute("DELETE FROM reports_exportjob WHERE partnership_id = %s", pid)
        cursor.execute("DELETE FROM escalation_case WHERE partnership_id = %s", pid)
    from django.contrib.auth import get_user_model

    partnership.delete()
    get_user_model().objects.filter(username__startswith=f"{CODE}-").delete()
    _vacuum()  # frees the deleted rows' space for the next run


def run() -> dict[str, float]:
    from django.test import Client

    from reports.selectors import ReportFilters
    from reports.services import export_now

    _clean_up()  # a run killed half-way leaves its data behind
    try:
        partnership, board = _populate()
        client = Client()
        client.force_login(board)
        from django.db import connection

        queries = 0

        def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        client.get("/reports/")  # warm: imports, templates, the connection
        with connection.execute_wrapper(counted):
            client.get("/reports/")
        page_ms = []
        for _ in range(RUNS):
            began = time.perf_counter()
            response = client.get("/reports/")
            page_ms.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
            assert b'id="total-cases">100000<' in response.content
        export_now(by=board, partnership=partnership, filters=ReportFilters(), fmt="xlsx")
        export_ms = []  # after a first export (openpyxl's import), as a worker's would be
        for _ in range(RUNS):
            began = time.perf_counter()
            made = export_now(
                by=board, partnership=partnership, filters=ReportFilters(), fmt="xlsx"
            )
            export_ms.append((time.perf_counter() - began) * 1000)
            assert made.content.startswith(b"PK")
        print(f"   page runs (ms): {', '.join(f'{m:.0f}' for m in page_ms)}")
        print(f"   xlsx runs (ms): {', '.join(f'{m:.0f}' for m in export_ms)}")
        return {
            "report_ms_100k": min(page_ms),
            "export_xlsx_ms_100k": min(export_ms),
            "report_ms_100k_median": statistics.median(page_ms),
            "report_queries_100k": float(queries),
        }
    finally:
        _clean_up()
