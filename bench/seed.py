"""Bulk seeding for the benches: 100,000 cases in 50 partnerships, and 1,000,000 steps.

Partnership 0 holds 10,000 cases between two agencies (its practitioner "many" sees all of
them); partnership 1 holds 10 (its practitioner "few" sees those 10); the other 48 share the
rest. Each partnership has five agencies, a practitioner in each, and board staff. A case
lives one to six steps of the policy's ladder (six: the step 0 target, then steps 1 to 5); an
open case's last step is open and due far ahead (in 2031, so that the deadline sweep, which
runs in the same database, finds nothing of ours due). Those 100,000 cases hold 228,496 steps
(the random draws are fixed).

A case holds each step of its ladder once (CaseStep's constraint case_step_once; the longest
ladder of the presets has six steps), so 1,000,000 steps need at least 166,667 cases. The
steps beyond the 100,000 cases' own are the archive: closed cases of ten partnerships more
(codes bseedx00 ...), raised in the three years before the others, each of which climbed the
whole ladder (step 0's target met, steps 1 to 4 escalated, resolved at step 5); the last may
be shorter, so that the steps come to exactly 1,000,000. No page bench reads the archive's
partnerships; their rows are in the same tables as everything else. Each case and step has
its "created" history row, as the case page reads them.

Rows are written with COPY in one transaction (foreign keys are checked at commit, so a case
can name its current step before the step is written). A second run finds the seed already
there (the partnerships, the cases and the steps) and does nothing.

`seed(partnerships=, cases=, steps=)` takes smaller sizes for the test of the seeder.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bench.bulk import analyze, case_template, copy_rows, next_ids, step_template

CODE = "bseed"  # partnership codes bseed00 ... bseed49; usernames bseed-...
ARCHIVE = f"{CODE}x"  # the archive's partnerships: bseedx00 ... bseedx09
PARTNERSHIPS = 50
ARCHIVE_PARTNERSHIPS = 10
CASES = 100_000
STEPS = 1_000_000
MANY = 10_000
FEW = 10
MAX_STEPS = 6
START = dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC)
ARCHIVE_START = dt.datetime(2022, 1, 3, 9, tzinfo=dt.UTC)  # three years before START
DUE_FAR = dt.datetime(2031, 6, 2, 17, tzinfo=dt.UTC)


def _kinds() -> list[Any]:
    from agencies.enums import AgencyKind

    return [
        AgencyKind.POLICE,
        AgencyKind.HEALTH,
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        AgencyKind.SCHOOL,
        AgencyKind.HOUSING,
    ]


@dataclass(frozen=True)
class Seeded:
    partnerships: int  # the pages' (not the archive's)
    cases: int  # in the pages' partnerships
    archive_cases: int
    steps: int  # of every case seeded
    seconds: float
    created: bool


def _code(n: int) -> str:
    return f"{CODE}{n:02d}"


def _plan(partnerships: int, cases: int) -> list[int]:
    """Cases per partnership: MANY in the first, FEW in the second, the rest shared."""
    if partnerships < 3:
        many = max(cases - FEW, 0) if partnerships == 2 else cases
        return [many, cases - many][:partnerships]
    many = min(MANY, cases // 2)
    rest = cases - many - FEW
    share, extra = divmod(rest, partnerships - 2)
    return [many, FEW] + [share + (1 if i < extra else 0) for i in range(partnerships - 2)]


def counts() -> tuple[int, int, int, int]:
    """The pages' partnerships and their cases, the archive's cases, and every seeded step."""
    from agencies.models import Partnership
    from escalation.models import Case, CaseStep

    ours = Partnership.objects.filter(code__startswith=CODE)
    pages = ours.exclude(code__startswith=ARCHIVE)
    return (
        pages.count(),
        Case.objects.filter(partnership__in=pages).count(),
        Case.objects.filter(partnership__code__startswith=ARCHIVE).count(),
        CaseStep.objects.filter(case__partnership__in=ours).count(),
    )


def seed(*, partnerships: int = PARTNERSHIPS, cases: int = CASES, steps: int = STEPS) -> Seeded:
    """Seed (or find seeded) `cases` cases in `partnerships` partnerships, and archive cases
    to bring the steps to `steps` (none when the cases' own steps reach it)."""
    from django.db import transaction

    began = time.perf_counter()
    have = counts()
    if have[:2] == (partnerships, cases) and have[3] >= steps:
        return Seeded(*have, seconds=time.perf_counter() - began, created=False)
    clean()
    with transaction.atomic():
        _write(partnerships, cases, steps)
    analyze(
        "escalation_case",
        "escalation_casestep",
        "escalation_historicalcase",
        "escalation_historicalcasestep",
    )
    return Seeded(*counts(), seconds=time.perf_counter() - began, created=True)


@dataclass
class _Partnership:
    row: Any
    agencies: list[Any]  # the five agencies of _kinds(), then the board's
    practitioners: list[Any]  # one in each of the five


def _partnerships(codes: list[tuple[str, str]], policy: Any) -> list[_Partnership]:
    """Partnerships (code, name) with their agencies, practitioners and board staff."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from agencies.enums import AgencyKind, Role
    from agencies.models import Agency, Membership, Partnership

    users = get_user_model()
    password = make_password(None)
    made = Partnership.objects.bulk_create(
        Partnership(name=name, code=code, nation="england", adopted_policy=policy)
        for code, name in codes
    )
    agencies: list[list[Any]] = []
    for p in made:
        row = [Agency(partnership=p, name=f"Bench {p.code} {k.value}", kind=k) for k in _kinds()]
        row.append(Agency(partnership=p, name=f"Bench {p.code} board", kind=AgencyKind.PARTNERSHIP))
        agencies.append(row)
    Agency.objects.bulk_create(a for row in agencies for a in row)
    people: list[Any] = []
    seats: list[tuple[Any, Any, str]] = []
    practitioners: list[list[Any]] = []
    for p, row in zip(made, agencies, strict=True):
        mine = []
        for agency in row[:-1]:
            user = users(
                username=f"{CODE}-{p.code}-{agency.kind}",
                email=f"{p.code}-{agency.kind}@bench.invalid",
                password=password,
                first_name="Bench",
                last_name=f"Practitioner {agency.kind}",
            )
            people.append(user)
            seats.append((user, agency, Role.PRACTITIONER))
            mine.append(user)
        board = users(
            username=f"{CODE}-{p.code}-board",
            email=f"{p.code}-board@bench.invalid",
            password=password,
            first_name="Bench",
            last_name="Board",
        )
        people.append(board)
        seats.append((board, row[-1], Role.BOARD_STAFF))
        practitioners.append(mine)
    users.objects.bulk_create(people)
    Membership.objects.bulk_create(Membership(user=u, agency=a, role=r) for u, a, r in seats)
    return [_Partnership(*parts) for parts in zip(made, agencies, practitioners, strict=True)]


def _write(partnerships: int, cases: int, steps: int) -> None:
    from escalation.domain.policies import load_presets
    from escalation.models import Case, CaseStep, Policy

    load_presets()
    policy = Policy.objects.get(slug="oscb-children")
    version = policy.versions.order_by("-number").first()
    assert version is not None
    pages = _partnerships(
        [(_code(n), f"Bench Partnership {n:02d}") for n in range(partnerships)], policy
    )
    case_rows, step_rows = _page_cases(pages, cases)
    archive_steps = steps - len(step_rows)
    archive: list[_Partnership] = []
    if archive_steps > 0:
        archive = _partnerships(
            [(f"{ARCHIVE}{n:02d}", f"Bench Archive {n:02d}") for n in range(ARCHIVE_PARTNERSHIPS)],
            policy,
        )
        archive_case_rows, archive_step_rows = _archive_cases(archive, archive_steps)
        case_rows += archive_case_rows
    first = pages[0]
    case_row = case_template(
        partnership=first.row,
        version=version,
        challenging_agency=first.agencies[0],
        raised_by=first.practitioners[0],
        responding_agency=first.agencies[1],
        raised_at=START,
    )
    step_row = step_template(started_at=START)
    copy_rows(Case, case_row, case_rows, with_pk=True)
    copy_rows(CaseStep, step_row, step_rows, with_pk=True)
    if archive:
        copy_rows(CaseStep, step_row, archive_step_rows, with_pk=True)
    ids = [p.row.pk for p in pages + archive]
    _history(Case, ids)
    _history(CaseStep, ids)


def _page_cases(
    made: list[_Partnership], cases: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The pages' cases and their steps, as rows for COPY."""
    from escalation.models import Case, CaseStep

    rng = random.Random(11)
    plan = _plan(len(made), cases)
    case_rows: list[dict[str, Any]] = []
    step_rows: list[dict[str, Any]] = []
    case_ids = next_ids(Case, cases)
    reached_all = [
        rng.choices(range(1, MAX_STEPS + 1), [40, 25, 15, 10, 6, 4])[0] for _ in case_ids
    ]
    step_ids = iter(next_ids(CaseStep, sum(reached_all)))
    ids = iter(zip(case_ids, reached_all, strict=True))
    for p_index, (p, size) in enumerate(zip(made, plan, strict=True)):
        for n in range(size):
            case_id, reached = next(ids)
            if p_index < 2:  # every case between the first two agencies
                a, b = 0, 1
            else:
                a, b = rng.sample(range(len(_kinds())), 2)
            raised = START + dt.timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
            status = rng.choices(["open", "resolved", "withdrawn"], [3, 6, 1])[0]
            at = raised
            current = None
            # Six steps: the step 0 target beside step 1, then steps 1 to 5.
            last_number = min(reached, MAX_STEPS - 1)
            for number in range(0 if reached == MAX_STEPS else 1, last_number + 1):
                last = number == last_number
                step_id = next(step_ids)
                current = step_id
                open_step = last and status == "open"
                end = None if open_step else at + dt.timedelta(days=rng.randrange(1, 10))
                outcome = status if last else ("met" if number == 0 else "escalated")
                step_rows.append(
                    {
                        "id": step_id,
                        "case_id": case_id,
                        "number": number,
                        "name": f"Step {number}",
                        "is_target": number == 0,
                        "started_at": at,
                        "due_at": DUE_FAR if open_step else at + dt.timedelta(days=7),
                        "completed_at": end,
                        "outcome": "" if open_step else outcome,
                    }
                )
                at = end or at
            closed = None if status == "open" else at
            case_rows.append(
                _case_row(p, case_id, f"BS{p_index:02d}-{n:06d}", a, b, status, raised, closed)
                | {"current_step_id": current}
            )
    return case_rows, step_rows


def _case_row(
    p: _Partnership,
    case_id: int,
    reference: str,
    a: int,
    b: int,
    status: str,
    raised: dt.datetime,
    closed: dt.datetime | None,
) -> dict[str, Any]:
    return {
        "id": case_id,
        "partnership_id": p.row.pk,
        "reference": reference,
        "challenging_agency_id": p.agencies[a].pk,
        "responding_agency_id": p.agencies[b].pk,
        "raised_by_id": p.practitioners[a].pk,
        "responding_person_id": p.practitioners[b].pk,
        "status": status,
        "raised_at": raised,
        "closed_at": closed,
        "working_days_to_close": None if closed is None else (closed - raised).days,
    }


def _archive_cases(
    made: list[_Partnership], steps: int
) -> tuple[list[dict[str, Any]], Iterator[dict[str, Any]]]:
    """Closed cases holding `steps` steps: each the whole ladder (six steps) but perhaps the
    last, which has the remainder (steps 1 to n). Case rows, and the step rows as they are
    read (a million rows are not held at once). Each step takes two days, the step 0
    target one (met), beside step 1."""
    from escalation.models import Case, CaseStep

    full, rest = divmod(steps, MAX_STEPS)
    lengths = [MAX_STEPS] * full + ([rest] if rest else [])
    case_ids = next_ids(Case, len(lengths))
    step_ids = next_ids(CaseStep, steps)
    rng = random.Random(12)  # its own draws: the pages' cases are the same with or without
    plan = _plan_even(len(made), len(lengths))
    case_rows: list[dict[str, Any]] = []
    shapes: list[tuple[int, int, dt.datetime]] = []  # case id, steps, raised
    taken = 0
    ids = iter(zip(case_ids, lengths, strict=True))
    for p_index, (p, size) in enumerate(zip(made, plan, strict=True)):
        for n in range(size):
            case_id, length = next(ids)
            a, b = rng.sample(range(len(_kinds())), 2)
            raised = ARCHIVE_START + dt.timedelta(minutes=rng.randrange(0, 3 * 360 * 24 * 60))
            closed = raised + dt.timedelta(
                days=2 * (MAX_STEPS - 1 if length == MAX_STEPS else length)
            )
            taken += length
            row = _case_row(
                p, case_id, f"BSX{p_index:02d}-{n:06d}", a, b, "resolved", raised, closed
            )
            case_rows.append(row | {"current_step_id": step_ids[taken - 1]})
            shapes.append((case_id, length, raised))

    def step_rows() -> Iterator[dict[str, Any]]:
        next_id = iter(step_ids)
        for case_id, length, raised in shapes:
            numbers = range(0, MAX_STEPS) if length == MAX_STEPS else range(1, length + 1)
            for number in numbers:
                started = raised + dt.timedelta(days=2 * max(number - 1, 0))
                last = number == numbers[-1]
                yield {
                    "id": next(next_id),
                    "case_id": case_id,
                    "number": number,
                    "name": f"Step {number}",
                    "is_target": number == 0,
                    "started_at": started,
                    "due_at": started + dt.timedelta(days=7),
                    "completed_at": started + dt.timedelta(days=1 if number == 0 else 2),
                    "outcome": "resolved" if last else ("met" if number == 0 else "escalated"),
                }

    return case_rows, step_rows()


def _plan_even(partnerships: int, cases: int) -> list[int]:
    share, extra = divmod(cases, partnerships)
    return [share + (1 if i < extra else 0) for i in range(partnerships)]


def _history(model: Any, partnership_ids: list[int]) -> None:
    """A "created" history row for each of our rows, as simple-history writes on create."""
    from django.db import connection

    historical = model.history.model
    names = [
        f.column
        for f in historical._meta.concrete_fields
        if not f.column.startswith("history_") and f.column != "history_id"
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in names)
    source = ", ".join(f"t.{quote(c)}" for c in names)
    table = quote(model._meta.db_table)
    where = (
        "t.partnership_id = ANY(%s)"
        if model.__name__ == "Case"
        else "t.case_id IN (SELECT id FROM escalation_case WHERE partnership_id = ANY(%s))"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(historical._meta.db_table)} ({columns}, history_date,"
            " history_type, history_change_reason, history_user_id)"
            f" SELECT {source}, t.{'raised_at' if model.__name__ == 'Case' else 'started_at'},"
            f" '+', NULL, NULL FROM {table} t WHERE {where}",
            [partnership_ids],
        )


def clean() -> None:
    """Delete everything the seed made (and anything the page benches wrote about it)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from agencies.models import Partnership

    ids = list(Partnership.objects.filter(code__startswith=CODE).values_list("pk", flat=True))
    if not ids:
        return
    cases = "SELECT id FROM escalation_case WHERE partnership_id = ANY(%s)"
    with connection.cursor() as cursor:
        for sql in (
            f"DELETE FROM escalation_caseaccess WHERE case_id IN ({cases})",
            f"DELETE FROM escalation_historicalcasestep WHERE case_id IN ({cases})",
            f"DELETE FROM escalation_historicalcase WHERE id IN ({cases})",
            f"UPDATE escalation_case SET current_step_id = NULL WHERE id IN ({cases})",
            f"DELETE FROM escalation_casestep WHERE case_id IN ({cases})",
            "DELETE FROM escalation_case WHERE partnership_id = ANY(%s)",
        ):
            cursor.execute(sql, [ids])
    Partnership.objects.filter(pk__in=ids).delete()
    get_user_model().objects.filter(username__startswith=f"{CODE}-").delete()


def person(kind: str) -> Any:
    """The seed's people: "many" (10,000 cases), "few" (10 cases), "board" (of the first
    partnership: 10,000 cases) and "board-few" (of the second: 10 cases)."""
    from django.contrib.auth import get_user_model

    username = {
        "many": f"{CODE}-{_code(0)}-police",
        "few": f"{CODE}-{_code(1)}-police",
        "board": f"{CODE}-{_code(0)}-board",
        "board-few": f"{CODE}-{_code(1)}-board",
    }[kind]
    return get_user_model().objects.get(username=username)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    result = seed()
    print(result)
