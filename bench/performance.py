"""docs/performance.md from bench/results.json: the machine, the command, a table of every
figure with its goal, met or missed, and why where missed. `make bench` writes it last."""

from __future__ import annotations

import math
import os
import platform
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


@dataclass(frozen=True)
class Figure:
    key: str
    what: str
    goal: str = ""
    met: Callable[[dict[str, float]], bool] | None = None
    why: str = ""  # said when the goal is missed


def _at_least(key: str, floor: float) -> Callable[[dict[str, float]], bool]:
    return lambda r: r[key] >= floor


def _same(a: str, b: str) -> Callable[[dict[str, float]], bool]:
    return lambda r: r[a] == r[b]


_LOAD_WHY = (
    "The server, the load client and PostgreSQL share 2 CPUs with other work (see the load "
    "average above), so every requests/s figure here is noisy; the ratio is the page's own cost "
    "against the bare view's, which needs no query of ours. "
)
FIGURES = [
    Figure("pages_seed_cases", "Seeded cases in the pages' 50 partnerships"),
    Figure("pages_seed_archive_cases", "Seeded archive cases (closed, whole ladders)"),
    Figure("pages_seed_steps", "Seeded steps, all cases"),
    Figure("pages_seed_fresh_s", "Seeding all of it from nothing (s)"),
    Figure("pages_seed_s", "Seeding in this run (s; near 0 when already seeded)"),
    Figure("pages_bare_rps", "Bare Django view, requests/s (the baseline)"),
    Figure(
        "pages_queue_many_ratio",
        "Work queue, practitioner with 10,000 cases: ratio to bare",
        "≥ 0.5",
        _at_least("pages_queue_many_ratio", 0.5),
        _LOAD_WHY + "The queue shows 50 open cases a page and the latest 20 closed, but to "
        "find the 50 due soonest PostgreSQL joins and sorts all the person's open cases by their "
        "step's due moment (the order is on another table, so no index of the case serves it), "
        "and the paginator counts them: work that grows with the person's open cases, though "
        "the rows rendered do not.",
    ),
    Figure("pages_queue_many_rps", "Work queue, 10,000 cases: requests/s"),
    Figure(
        "pages_queue_typical_ratio",
        "Work queue, practitioner with about 750 cases: ratio to bare",
        "≥ 0.5",
        _at_least("pages_queue_typical_ratio", 0.5),
        _LOAD_WHY + "The same sort and count, over about 750 cases.",
    ),
    Figure("pages_queue_typical_rps", "Work queue, about 750 cases: requests/s"),
    Figure(
        "pages_board_cases_ratio",
        "Board case list (10,000 cases, 50 a page): ratio to bare",
        "≥ 0.5",
        _at_least("pages_board_cases_ratio", 0.5),
        _LOAD_WHY + "The newest 50 are read from the index case_partnership_newest in the "
        "page's order (tests/scale/test_indexes.py), but each request also counts the "
        "partnership's cases for the total (once: the paginator is given that count) and reads "
        "the distinct policy versions over them for the filters: work that grows with the "
        "partnership.",
    ),
    Figure("pages_board_cases_rps", "Board case list: requests/s"),
    Figure(
        "pages_case_page_ratio",
        "Case page (six steps, with history): ratio to bare",
        "≥ 0.5",
        _at_least("pages_case_page_ratio", 0.5),
        _LOAD_WHY + "The page makes {pages_case_page_queries_10k:.0f} round trips to PostgreSQL "
        "(the bare view: the session's one) and commits a write on every view (each read of a "
        "case is logged); profiled in one process, about half of its time is waiting on "
        "PostgreSQL, spread over those queries (none dominates). Its cost does not grow with "
        "the number of cases (the same queries at 10 and at 10,000).",
    ),
    Figure("pages_case_page_rps", "Case page: requests/s"),
    Figure(
        "pages_queue_queries_10k",
        "Work queue: queries at 10,000 cases",
        "= at 10 cases",
        _same("pages_queue_queries_10", "pages_queue_queries_10k"),
    ),
    Figure("pages_queue_queries_10", "Work queue: queries at 10 cases"),
    Figure(
        "pages_board_cases_queries_10k",
        "Board case list: queries at 10,000 cases",
        "= at 10 cases",
        _same("pages_board_cases_queries_10", "pages_board_cases_queries_10k"),
    ),
    Figure("pages_board_cases_queries_10", "Board case list: queries at 10 cases"),
    Figure(
        "pages_case_page_queries_10k",
        "Case page: queries for the person with 10,000 cases",
        "= with 10 cases",
        _same("pages_case_page_queries_10", "pages_case_page_queries_10k"),
    ),
    Figure("pages_case_page_queries_10", "Case page: queries for the person with 10 cases"),
    Figure("sweep_ms_10k", "Deadline sweep at 10,000 steps (ms)"),
    Figure("sweep_steps_10k", "Steps in the table then (the sweep's database of its own)"),
    Figure("sweep_steps_1m", "Steps in the table beside the seed (the seed's and the sweep's)"),
    Figure(
        "sweep_ms_1m",
        "Deadline sweep beside the seed's 1,000,000 steps (ms)",
        "< 50",
        lambda r: r["sweep_ms_1m"] < 50,
        "Finding the 300 due steps is an index scan (the row below); the time is the sweep's "
        "work for them: reading their cases, people and calendars and writing about 1,000 "
        "outbox rows in one transaction, the same at 10,000 steps. It follows what is due, not "
        "how many steps there are (the ratio row). This run shared the machine's 2 CPUs with "
        "other work (load average {load_at_sweep:.1f} as the sweep began), which the time "
        "includes.",
    ),
    Figure(
        "sweep_ratio_1m_to_10k",
        "Sweep beside the 1,000,000 steps ÷ at 10,000 (the same 300 due)",
        "< 3",
        lambda r: r["sweep_ratio_1m_to_10k"] < 3,
    ),
    Figure(
        "sweep_index_scan_1m",
        "Sweep's query reads open_step_due beside the 1,000,000 steps (1 = yes)",
        "= 1",
        lambda r: r["sweep_index_scan_1m"] == 1,
    ),
    Figure(
        "report_ms_100k",
        "Board report page at 100,000 cases (ms, best of 3)",
        "< 1,000",
        lambda r: r["report_ms_100k"] < 1000,
        "The report aggregates every case of the partnership in PostgreSQL (its queries are the "
        "row below); on this shared 2-CPU machine the aggregates over 100,000 rows take this "
        "long, and the best of three varies with the load (load average {load_at_report:.1f} as the "
        "report bench began in this run).",
    ),
    Figure("report_ms_100k_median", "Board report page at 100,000 cases (ms, median of 3)"),
    Figure("report_queries_100k", "Board report page: queries"),
    Figure("export_xlsx_ms_100k", "XLSX export of 100,000 cases (ms, best of 3)"),
    Figure("pdf_floor_ms", "WeasyPrint one-line page, defaults (ms): the PDF floor"),
    Figure("pdf_one_line_product_ms", "One-line page rendered as the product renders (ms)"),
    Figure("pdf_record_ms", "Pro forma PDF of a five-step case (ms)"),
    Figure("pdf_words_only_ms", "That record's words alone, no layout (ms)"),
    Figure(
        "pdf_ratio_to_floor",
        "Pro forma PDF ÷ floor",
        "< 3",
        lambda r: r["pdf_ratio_to_floor"] < 3,
        "The record's words alone, with no layout, cost {pdf_words_only_ratio_to_floor:.1f} "
        "floors in WeasyPrint (the row Words alone ÷ floor): the goal is below what WeasyPrint needs for the "
        "text itself. The floor, a one-line page, also moves from run to run on this shared "
        "machine, and the ratio with it: see bench/bench_pdf.py and docs/proforma.md.",
    ),
    Figure("pdf_words_only_ratio_to_floor", "Words alone ÷ floor"),
    Figure(
        "pdf_ratio_to_words",
        "Pro forma PDF ÷ the same record's words alone",
        "< 2",
        lambda r: r["pdf_ratio_to_words"] < 2,
        "The pro forma lays out each step's section as a table of labelled fields, with the "
        "signature blocks and the header and footer on every page; WeasyPrint's table layout is "
        "the cost beyond the words themselves (docs/proforma.md). Per page it is "
        "{pdf_ratio_to_words_per_page:.1f} times (the rows below): the pro forma's fields and "
        "margins spread the same words over {pdf_record_pages:.0f} pages, the words alone fill "
        "{pdf_words_only_pages:.0f}. This run shared the machine with other work (load average "
        "{load_at_pdf:.1f} as the PDF bench began).",
    ),
    Figure("pdf_record_pages", "Pro forma PDF: pages (read back from the PDF)"),
    Figure("pdf_record_ms_per_page", "Pro forma PDF: ms per page"),
    Figure("pdf_words_only_pages", "Words alone: pages"),
    Figure("pdf_words_only_ms_per_page", "Words alone: ms per page"),
    Figure(
        "pdf_ratio_to_words_per_page",
        "Pro forma PDF ÷ words alone, per page",
        "< 2",
        lambda r: r["pdf_ratio_to_words_per_page"] < 2,
        "The pro forma's time per page against the words' alone, each over its own pages "
        "({pdf_record_pages:.0f} and {pdf_words_only_pages:.0f}).",
    ),
    Figure("load_at_pages", "Load average (1 min) when the page bench began"),
    Figure("load_at_pdf", "Load average (1 min) when the PDF bench began"),
    Figure("load_at_report", "Load average (1 min) when the report bench began"),
    Figure("load_at_sweep", "Load average (1 min) when the sweep bench began"),
]


def machine() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    memory = "unknown"
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        f"- CPUs (`nproc`): {os.cpu_count()} ({model})",
        f"- RAM: {memory}",
        f"- PostgreSQL {postgres}, on the same machine (loopback)",
        f"- Python {platform.python_version()} on {platform.system()} {platform.release()}",
        f"- Load average when the table was written (1, 5, 15 min): {load}",
    ]


def data(results: dict[str, float]) -> list[str]:
    """What the benches ran on (bench/seed.py), with the seed's counts from this run."""

    def count(key: str, otherwise: str) -> str:
        return f"{results[key]:,.0f}" if key in results else otherwise

    cases, archive = count("pages_seed_cases", "100,000"), count("pages_seed_archive_cases", "")
    steps = count("pages_seed_steps", "1,000,000")
    return [
        f"One database holds the seed (bench/seed.py, COPY): {cases} cases in 50 partnerships,",
        "each living one to six steps of the ladder (the step 0 target and steps 1 to 5), and",
        f"{steps} steps in all, with their history rows. One partnership holds 10,000 cases",
        "between two agencies (the person with 10,000 cases), another 10 (the person with 10).",
        "",
        "How the 1,000,000 steps are reached, and what is not like production: a case holds",
        "each step of its ladder at most once (CaseStep's constraint case_step_once; a",
        "reassignment or a chase changes the step, it adds none; the longest ladder of the",
        "presets has six steps), so 100,000 cases hold at most 600,000 steps, and the 100,000",
        "as drawn (most resolve at step 1 or 2) hold 228,496. The other steps belong to the",
        f"archive: {archive or 'the'} closed cases in ten more partnerships, raised in the three",
        "years before the others, each of which climbed the whole ladder and was resolved at",
        "step 5 (the last may be shorter, so that the steps come to exactly 1,000,000). In",
        "production such old cases would sit in the same partnerships as the live ones, and",
        "nearly all would have ended at a lower step; here no page bench reads the archive's",
        "partnerships, so the pages' figures stay at the issue's 100,000 cases, while every",
        "table and index holds all of the 1,000,000 steps.",
        "",
        "The sweep is timed at 10,000 steps in a database of its own (created and dropped on",
        "the same server), then in this database beside the seed (bench/bench_sweep.py); the",
        "seed's open steps are due in 2031, so both times find the sweep's same 300 due. The",
        "report's 100,000 cases are the report bench's own (bench/bench_report.py).",
        "",
        "The machine is shared with other work (other sessions' tests and builds) while the",
        "bench runs: the load average is recorded above and as each bench began (the table).",
    ]


def write(results: dict[str, float], command: str) -> str:
    if results.get("pdf_words_only_ms"):
        results = {
            **results,
            "pdf_ratio_to_words": results["pdf_record_ms"] / results["pdf_words_only_ms"],
        }
    rows = ["| Figure | Value | Goal | Met |", "| --- | --- | --- | --- |"]
    missed: list[str] = []
    for figure in FIGURES:
        if figure.key not in results:
            continue
        value = results[figure.key]
        shown = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3f}".rstrip("0").rstrip(".")
        met = ""
        if figure.met is not None:
            ok = figure.met(results)
            met = "met" if ok else "**missed**"
            if not ok:
                why = figure.why.format_map(defaultdict(lambda: math.nan, results))
                missed.append(f"- **{figure.what}** ({shown}, goal {figure.goal}): {why}")
        rows.append(f"| {figure.what} (`{figure.key}`) | {shown} | {figure.goal} | {met} |")
    text = "\n".join(
        [
            "# Performance",
            "",
            "Written by `make bench` (bench/performance.py) from bench/results.json. Every figure is",
            "measured against a baseline in the same run on the same server. How each bench works:",
            "the docstrings of bench/bench_*.py; the seed: bench/seed.py.",
            "",
            "## Command",
            "",
            f"    {command}",
            "",
            "## Machine",
            "",
            *machine(),
            "",
            "## Data",
            "",
            *data(results),
            "",
            "## Figures",
            "",
            *rows,
            "",
            "## Goals missed, and why",
            "",
            *(missed or ["None."]),
            "",
        ]
    )
    DOC.write_text(text)
    return "\n".join(rows)
