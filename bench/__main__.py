"""`make bench`: run every benchmark module in bench/ and write bench/results.json.

Each module named bench/bench_*.py has `run() -> dict[str, float]`; figures are ratios or
milliseconds measured in this process, against a baseline measured in the same run.
`python -m bench NAME ...` runs only the named modules (e.g. `python -m bench sweep`).
Last, it prints the table of every figure in results.json and writes docs/performance.md
(bench/performance.py).
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
from pathlib import Path

RESULTS = Path(__file__).with_name("results.json")


def main(names: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # A key of the bench's own, shared with the server the page bench starts (its sessions).
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
    # The benches sign in with a session made here (force_login), without a second factor.
    os.environ.setdefault("RESOLVE_TWO_FACTOR", "false")
    import django

    django.setup()
    modules = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    chosen = [m for m in modules if not names or m in names]
    if not chosen:
        print(f"No benchmark named {names}; there are: {', '.join(modules) or 'none yet'}")
        return 1
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in chosen:
        print(f"== {name}")
        results[f"load_at_{name}"] = os.getloadavg()[0]  # the machine is shared
        figures = importlib.import_module(f"bench.bench_{name}").run()
        for key, value in figures.items():
            print(f"   {key} = {value:.3f}")
        results.update(figures)
        RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    from bench import performance

    command = os.environ.get("BENCH_COMMAND") or " ".join(["python -m bench", *names])
    print(performance.write(results, command))
    print(f"Written to {RESULTS} and {performance.DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
