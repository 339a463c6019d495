"""Fail clearly when the PostgreSQL that the tests need cannot be reached."""

import sys

import psycopg


def main(url: str) -> int:
    try:
        with psycopg.connect(url.replace("/resolve", "/postgres"), connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        print(
            f"make test: PostgreSQL at {url} cannot be reached ({exc}).\n"
            "The tests run against a real PostgreSQL: start it, then run `make test` again.",
            file=sys.stderr,
        )
        return 1
    print(f"PostgreSQL reachable at {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
