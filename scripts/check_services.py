"""Fail clearly when the PostgreSQL that the tests need cannot be reached; create the
project's database there if it is missing (the test runner makes its own from it)."""

import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def ensure_database(url: str) -> int:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin_url, connect_timeout=5, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"Created database {name}")
    except psycopg.OperationalError as exc:
        print(
            f"PostgreSQL at {parts.hostname}:{parts.port or 5432} cannot be reached ({exc}).\n"
            "The tests and benchmarks run against a real PostgreSQL: start it "
            "(.ci/run shows how), then run the command again.",
            file=sys.stderr,
        )
        return 1
    print(f"PostgreSQL reachable; database {name} ready")
    return 0


if __name__ == "__main__":
    sys.exit(max(ensure_database(url) for url in sys.argv[1:]))
