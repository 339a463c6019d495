"""Writing the benches' rows in bulk: primary keys from the tables' own sequences, COPY with
every column as the model would save it, and the template case and step whose values each
bulk row starts from (bench/seed.py and bench/bench_sweep.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any


def next_ids(model: Any, count: int) -> list[int]:
    """Primary keys taken from the table's own sequence, for rows written with COPY."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(
    model: Any, template: Any, changes: Iterable[dict[str, Any]], *, with_pk: bool
) -> None:
    """COPY rows into the model's table: each row is the template's values (as the model's
    fields would save them, so a column added later gets its default) with `changes`."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    base = [f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields]
    position = {f.attname: i for i, f in enumerate(fields)}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for change in changes:
            row = list(base)
            for attname, value in change.items():
                row[position[attname]] = value
            copy.write_row(row)


def case_template(
    *,
    partnership: Any,
    version: Any,
    challenging_agency: Any,
    raised_by: Any,
    responding_agency: Any,
    raised_at: dt.datetime,
    responding_person: Any = None,
) -> Any:
    """A case on the policy version's standard route: what every bulk case row starts from."""
    from escalation.models import Case

    return Case(
        partnership=partnership,
        reference="",
        policy_version=version,
        route="standard",
        category="criteria-for-referrals",
        challenging_agency=challenging_agency,
        raised_by=raised_by,
        responding_agency=responding_agency,
        responding_person=responding_person,
        responding_professional="Bench professional",
        subject_kind="child",
        subject_initials="ZZ",
        subject_age_band="5-10",
        disagreement="Bench disagreement",
        impact="Bench impact",
        raised_at=raised_at,
    )


def step_template(*, started_at: dt.datetime, due_at: dt.datetime | None = None) -> Any:
    """Step 1, acted on by a practitioner on each side: what every bulk step row starts from."""
    from agencies.enums import Role
    from escalation.models import CaseStep

    return CaseStep(
        number=1,
        name="Step 1",
        started_at=started_at,
        due_at=due_at,
        challenging_role=Role.PRACTITIONER,
        responding_role=Role.PRACTITIONER,
    )


def analyze(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
