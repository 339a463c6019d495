"""Who may import whom (docs/architecture.md, "Inside escalation: who may import whom"),
read from the source so that a broken rule fails here rather than in a review.

Every import counts: at the top of a module, inside a function (a lazy import), under
`if TYPE_CHECKING:`, and `importlib.import_module("...")` with a written name. No database.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The project's apps; config is left out on purpose: it is the wiring (settings, urls) that
# names every app's views.
APPS = ("agencies", "escalation", "notifications", "proforma", "reports")
# The modules that serve people or take their input; another app reaches an app's data
# through its selectors and services, never through these.
DOORS = ("views", "forms", "pages")
# The transitions and the doors, which the reads may not depend on.
NOT_FOR_READS = ("escalation.domain", "escalation.pages")


def files(*patterns: str) -> list[Path]:
    """The project's Python files matching the patterns (relative to the project root)."""
    found = sorted({path for pattern in patterns for path in ROOT.glob(pattern)})
    return [path for path in found if path.suffix == ".py"]


def module_name(path: Path, root: Path = ROOT) -> str:
    """escalation/queries/cases.py -> escalation.queries.cases; a package's __init__ -> it."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(path: Path, node: ast.ImportFrom, root: Path) -> str:
    """The module an ImportFrom names, with a relative import resolved against `path`."""
    if not node.level:
        return node.module or ""
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package.pop()  # a module's package is its parent
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports(path: Path, root: Path = ROOT) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything the file imports, anywhere in it.

    `from a.b import c` yields both a.b and a.b.c, since c may be a module: so
    `from escalation import domain` is seen as an import of escalation.domain.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node, root)
            yield node.lineno, module
            for alias in node.names:
                if alias.name != "*":
                    yield node.lineno, f"{module}.{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def breaches(checked: list[Path], refused: Callable[[str], bool]) -> list[str]:
    """'path:line imports name' for every import statement in `checked` that names a module
    `refused` refuses (the first such name of the statement)."""
    found: dict[tuple[Path, int], str] = {}
    for path in checked:
        for line, name in imports(path):
            if refused(name):
                found.setdefault((path, line), f"{path.relative_to(ROOT)}:{line} imports {name}")
    return list(found.values())


# --- the reads -----------------------------------------------------------------------------

READS = files("escalation/rules.py", "escalation/queries/**/*.py")


def test_the_reads_never_import_the_transitions_or_the_pages():
    assert READS, "no files found for escalation/rules.py and escalation/queries/: wrong path?"
    assert ROOT / "escalation" / "rules.py" in READS
    assert ROOT / "escalation" / "queries" / "__init__.py" in READS

    found = breaches(READS, lambda name: any(is_within(name, p) for p in NOT_FOR_READS))

    assert found == [], (
        "escalation/rules.py and escalation/queries/ must not import "
        f"{' or '.join(NOT_FOR_READS)}:\n" + "\n".join(found)
    )


# --- agencies ------------------------------------------------------------------------------

AGENCIES = files("agencies/**/*.py")


def test_agencies_never_imports_escalation():
    assert AGENCIES, "no files found under agencies/: wrong path?"

    found = breaches(AGENCIES, lambda name: is_within(name, "escalation"))

    # Known and expected until it is moved (another branch is moving it now):
    # agencies/selectors.py imports escalation.deadlines (WorkingCalendar).
    assert found == [], (
        "agencies must not import escalation (EXPECTED to fail on agencies/selectors.py -> "
        "escalation.deadlines until the working calendar moves out of escalation):\n"
        + "\n".join(found)
    )


# --- the API ------------------------------------------------------------------------------

API = files("api/**/*.py")


def test_the_api_reaches_escalation_through_its_services_never_its_pages():
    """api/ calls the same selectors, rules and domain services as the pages, never the
    pages (or any app's views) themselves. It may check input with the apps' forms (the raise
    forms, the report's filters): one set of rules and words for both doors."""
    assert API, "no files found under api/: wrong path?"
    doors = [door for door in DOORS if door != "forms"]

    def refused(name: str) -> bool:
        return any(is_within(name, f"{app}.{door}") for app in APPS for door in doors) or is_within(
            name, "accounts.views"
        )

    found = breaches(API, refused)
    assert found == [], "api/ must not import the pages:\n" + "\n".join(found)


# --- the apps' doors -----------------------------------------------------------------------

APP_FILES = {app: files(f"{app}/**/*.py") for app in APPS}


def _another_apps_door(app: str, name: str) -> bool:
    parts = name.split(".")
    return parts[0] in APPS and parts[0] != app and any(part in DOORS for part in parts[1:])


@pytest.mark.parametrize("app", APPS)
def test_no_app_imports_another_apps_views_forms_or_pages(app):
    assert APP_FILES[app], f"no files found under {app}/: wrong path?"

    found = breaches(APP_FILES[app], lambda name: _another_apps_door(app, name))

    doors = ", ".join(DOORS)
    assert found == [], f"{app} must not import another app's {doors}:\n" + "\n".join(found)


# --- the reader itself ---------------------------------------------------------------------


def test_the_reader_sees_lazy_relative_and_from_imports(tmp_path):
    package = tmp_path / "escalation" / "queries"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from . import cases\n", encoding="utf-8")
    module = package / "cases.py"
    module.write_text(
        "from escalation import domain\n"
        "def later():\n"
        "    from ..pages.case import views\n"
        "    import importlib\n"
        "    importlib.import_module('escalation.domain.cases')\n",
        encoding="utf-8",
    )

    assert list(imports(module, tmp_path)) == [
        (1, "escalation"),
        (1, "escalation.domain"),
        (3, "escalation.pages.case"),
        (3, "escalation.pages.case.views"),
        (4, "importlib"),
        (5, "escalation.domain.cases"),
    ]
    assert list(imports(package / "__init__.py", tmp_path)) == [
        (1, "escalation.queries"),
        (1, "escalation.queries.cases"),
    ]


def test_the_rules_tell_a_door_or_a_package_from_a_lookalike():
    assert _another_apps_door("reports", "escalation.pages.oversight.views")
    assert _another_apps_door("proforma", "reports.forms")
    assert not _another_apps_door("reports", "reports.forms")  # its own doors
    assert not _another_apps_door("reports", "escalation.queries.cases")
    assert not _another_apps_door("reports", "django.forms")  # not one of our apps
    assert is_within("escalation.domain.cases", "escalation.domain")
    assert not is_within("escalation.domainless", "escalation.domain")
