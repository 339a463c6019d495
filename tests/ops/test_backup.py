"""Back up and restore (docs/operations.md): pg_dump of a database holding a case, pg_restore
into a new database, and the case and its history are there."""

from __future__ import annotations

import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from escalation.models import Case
from tests.escalation.world import build_world


def dsn(name: str) -> str:
    params = connection.settings_dict
    host, port, user = params["HOST"] or "127.0.0.1", params["PORT"] or 5432, params["USER"]
    return f"postgresql://{user}@{host}:{port}/{name}"


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_the_case_and_its_history(presets, tmp_path):
    world = build_world(policy=presets["oscb-children"], code="OXF")
    case = world.raise_case(risk_of_significant_harm=True)
    history = Case.history.filter(id=case.pk).count()
    assert history >= 1
    dump = tmp_path / "resolve.dump"
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored_{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", dsn(source)], check=True
    )
    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={dsn(restored)}", str(dump)], check=True
        )
        with psycopg.connect(dsn(restored)) as copy:
            row = copy.execute(
                "SELECT reference FROM escalation_case WHERE id = %s", (case.pk,)
            ).fetchone()
            kept = copy.execute(
                "SELECT count(*) FROM escalation_historicalcase WHERE id = %s", (case.pk,)
            ).fetchone()
        assert row == (case.reference,)
        assert kept == (history,)
    finally:
        with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
