"""Bulk seeding for the page benches: 50 partnerships, 100,000 cases and their steps.

Partnership 0 holds 10,000 cases between two agencies (its practitioner "many" sees all of
them); partnership 1 holds 10 (its practitioner "few" sees those 10); the other 48 share the
rest. Each partnership has five agencies, a practitioner in each, and board staff. A case
lives one to six steps of the policy's ladder (six: the step 0 target, then steps 1 to 5); an open case's last step is open and due far ahead
(in 2031, so that the deadline sweep bench, which runs in the same database, finds nothing of
ours due). Each case and step has its "created" history row, as the case page reads them.

Rows are written with COPY in one transaction (foreign keys are checked at commit, so a case
can name its current step before the step is written). A second run finds the seed already
there (every partnership and the case count) and does nothing.

`seed(partnerships=, cases=)` takes smaller sizes for the test of the seeder.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from typing import Any

from bench.bench_sweep import _copy, _next_ids

CODE = "bseed"  # partnership codes bseed00 ... bseed49; usernames bseed-...
PARTNERSHIPS = 50
CASES = 100_000
MANY = 10_000
FEW = 10
MAX_STEPS = 6
START = dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC)
DUE_FAR = dt.datetime(2031, 6, 2, 17, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Seeded:
    partnerships: int
    cases: int
    steps: int
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


def counts(*, partnerships: int = PARTNERSHIPS) -> tuple[int, int, int]:
    from agencies.models import Partnership
    from escalation.models import Case, CaseStep

    ours = Partnership.objects.filter(code__startswith=CODE)
    return (
        ours.count(),
        Case.objects.filter(partnership__in=ours).count(),
        CaseStep.objects.filter(case__partnership__in=ours).count(),
    )


def seed(*, partnerships: int = PARTNERSHIPS, cases: int = CASES) -> Seeded:
    from django.db import transaction

    began = time.perf_counter()
    have = counts()
    if have[0] == partnerships and have[1] == cases:
        return Seeded(have[0], have[1], have[2], time.perf_counter() - began, created=False)
    clean()
    with transaction.atomic():
        _write(partnerships, cases)
    _analyze()
    have = counts()
    return Seeded(have[0], have[1], have[2], time.perf_counter() - began, created=True)


def _write(partnerships: int, cases: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from agencies.enums import AgencyKind, Role
    from agencies.models import Agency, Membership, Partnership
    from escalation.domain.policies import load_presets
    from escalation.models import Case, CaseStep, Policy

    load_presets()
    policy = Policy.objects.get(slug="oscb-children")
    version = policy.versions.order_by("-number").first()
    assert version is not None
    users = get_user_model()
    password = make_password(None)
    kinds = [
        AgencyKind.POLICE,
        AgencyKind.HEALTH,
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        AgencyKind.SCHOOL,
        AgencyKind.HOUSING,
    ]
    made = Partnership.objects.bulk_create(
        Partnership(
            name=f"Bench Partnership {n:02d}",
            code=_code(n),
            nation="england",
            adopted_policy=policy,
        )
        for n in range(partnerships)
    )
    agencies: list[list[Any]] = []
    all_agencies = []
    for p in made:
        row = [Agency(partnership=p, name=f"Bench {p.code} {k.value}", kind=k) for k in kinds]
        row.append(Agency(partnership=p, name=f"Bench {p.code} board", kind=AgencyKind.PARTNERSHIP))
        agencies.append(row)
        all_agencies += row
    Agency.objects.bulk_create(all_agencies)
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

    rng = random.Random(11)
    plan = _plan(partnerships, cases)
    case_rows: list[dict[str, Any]] = []
    step_rows: list[dict[str, Any]] = []
    case_ids = _next_ids(Case, cases)
    reached_all = [
        rng.choices(range(1, MAX_STEPS + 1), [40, 25, 15, 10, 6, 4])[0] for _ in case_ids
    ]
    step_ids = iter(_next_ids(CaseStep, sum(reached_all)))
    ids = iter(zip(case_ids, reached_all, strict=True))
    for p_index, (p, size) in enumerate(zip(made, plan, strict=True)):
        for n in range(size):
            case_id, reached = next(ids)
            if p_index < 2:  # every case between the first two agencies
                a, b = 0, 1
            else:
                a, b = rng.sample(range(len(kinds)), 2)
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
                        "outcome": "" if open_step else (status if last else "escalated"),
                    }
                )
                at = end or at
            closed = None if status == "open" else at
            case_rows.append(
                {
                    "id": case_id,
                    "partnership_id": p.pk,
                    "reference": f"BS{p_index:02d}-{n:06d}",
                    "challenging_agency_id": agencies[p_index][a].pk,
                    "responding_agency_id": agencies[p_index][b].pk,
                    "raised_by_id": practitioners[p_index][a].pk,
                    "responding_person_id": practitioners[p_index][b].pk,
                    "status": status,
                    "raised_at": raised,
                    "closed_at": closed,
                    "current_step_id": current,
                    "working_days_to_close": None if closed is None else (closed - raised).days,
                }
            )
    first = made[0]
    case_template = Case(
        partnership=first,
        reference="",
        policy_version=version,
        route="standard",
        category="criteria-for-referrals",
        challenging_agency=agencies[0][0],
        raised_by=practitioners[0][0],
        responding_agency=agencies[0][1],
        responding_professional="Bench professional",
        subject_kind="child",
        subject_initials="ZZ",
        subject_age_band="5-10",
        disagreement="Bench disagreement",
        impact="Bench impact",
        raised_at=START,
    )
    step_template = CaseStep(
        number=1,
        name="Step 1",
        started_at=START,
        challenging_role=Role.PRACTITIONER,
        responding_role=Role.PRACTITIONER,
    )
    _copy(Case, case_template, case_rows, with_pk=True)
    _copy(CaseStep, step_template, step_rows, with_pk=True)
    _history(Case, [p.pk for p in made])
    _history(CaseStep, [p.pk for p in made])


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


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "escalation_case",
            "escalation_casestep",
            "escalation_historicalcase",
            "escalation_historicalcasestep",
        ):
            cursor.execute(f"ANALYZE {table}")


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
