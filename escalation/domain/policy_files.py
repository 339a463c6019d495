"""Reading and checking policy files: YAML in, a checked document out, or a clear refusal.

A policy document is checked in three passes, and the first one that fails refuses it:

1. YAML syntax (with the line and column), plus two rules plain YAML lets through: a key
   written twice in one mapping, and a document that is not a mapping;
2. the JSON Schema in escalation/presets/policy.schema.json (unknown keys, missing keys,
   wrong types, values outside their lists);
3. the checks a schema cannot express (`semantic_problems`): unique and increasing step
   numbers, the step 0 target, references between keys, deadline amounts.

Every refusal is a `PolicyFileError` whose message names the file (or the stored version),
the path inside it (`routes[1].steps[2].deadline.kind`) and what is wrong.
`preset_files` says which files are the presets. Nothing here touches the database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from agencies.enums import PARTNERSHIP_ROLES, Role
from escalation.enums import Side
from escalation.policy import policy_from_document

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "presets" / "policy.schema.json"

# Roles a step may name for each side. The schema lists the same values; tests hold the two
# together so that a new Role cannot slip into one and not the other.
AGENCY_STEP_ROLES = frozenset(r.value for r in Role if r not in PARTNERSHIP_ROLES)
PARTNERSHIP_STEP_ROLES = frozenset({Role.STRATEGIC_MANAGER.value, Role.BOARD_STAFF.value})
SIDE_ROLES: Mapping[str, frozenset[str]] = {
    Side.CHALLENGING.value: AGENCY_STEP_ROLES,
    Side.RESPONDING.value: AGENCY_STEP_ROLES,
    Side.PARTNERSHIP.value: PARTNERSHIP_STEP_ROLES,
}
COUNTED_KINDS = frozenset({"working_days", "clock_hours"})

_SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")


class PolicyFileError(ValueError):
    """A policy file or document that cannot be used; str(error) says where and why.

    `source` is the file (or stored version) at fault, `path` the place inside it in a
    readable form ("routes[1].steps[2].deadline.kind", "line 12, column 3" for YAML
    syntax), `problem` what is wrong, and `problems` every problem found, each as
    "path: problem", where the checks could find more than one.
    """

    def __init__(
        self, *, source: str, path: str, problem: str, problems: Sequence[str] = ()
    ) -> None:
        self.source = source
        self.path = path
        self.problem = problem
        self.problems = tuple(problems) or (f"{path}: {problem}",)
        more = len(self.problems) - 1
        message = f"{source}: {path}: {problem}"
        if more > 0:
            message += f" (and {more} more problem{'s' if more > 1 else ''} in this file)"
        super().__init__(message)


# --- YAML ----------------------------------------------------------------------------------


class _PolicyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, and reads dates, `yes`/`no` and `on`/`off` as
    the text they look like, so that what a file says is what the document holds (and
    everything stays JSON for PolicyVersion.document)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` merges may be overridden by explicit keys
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: let PyYAML say what is wrong
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found the key {key!r} twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_PolicyLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PolicyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _yaml_location(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is None:
        return "(YAML)"
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _yaml_problem(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.constructor.ConstructorError) and error.problem:
        return str(error.problem)  # our duplicate-key refusal, or an unknown !tag
    if not isinstance(error, yaml.MarkedYAMLError):
        return f"YAML syntax error: {error}"
    context = error.context or ""
    start, end = error.context_mark, error.problem_mark
    if context and start is not None and (end is None or start.line != end.line):
        context += f" (opened at line {start.line + 1}, column {start.column + 1})"
    return "YAML syntax error: " + ": ".join(p for p in (context, error.problem) if p)


# --- the schema ----------------------------------------------------------------------------


@cache
def policy_schema() -> dict[str, Any]:
    """The JSON Schema every policy document must pass (read once)."""
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    Draft202012Validator.check_schema(schema)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(policy_schema())


def path_text(parts: Iterable[str | int]) -> str:
    """A path inside a document in a readable form: routes[1].steps[2].deadline.kind."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out or "(top level)"


def _schema_problem(error: ValidationError) -> tuple[str, str]:
    """(path, problem) for a schema error, in words a person editing the file can act on."""
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance if isinstance(error.instance, dict) else {}
    if error.validator == "additionalProperties" and instance:
        allowed = list(schema.get("properties", {}))
        unknown = [k for k in instance if k not in allowed]
        if unknown:
            key = unknown[0]
            known = ", ".join(allowed) if allowed else "none"
            return path_text([*path, str(key)]), f"unknown key {key!r} (allowed here: {known})"
    if error.validator == "required" and isinstance(error.validator_value, list):
        missing = [k for k in error.validator_value if k not in instance]
        if missing:
            return path_text(path), f"missing required key {missing[0]!r}"
    if error.validator == "pattern" and error.validator_value == _SLUG_PATTERN:
        return path_text(path), (
            f"{error.instance!r} is not a slug (lower-case letters and digits, "
            "joined by single hyphens)"
        )
    if error.validator == "not" and error.validator_value == {"required": ["options"]}:
        return path_text([*path, "options"]), "a text question takes no options"
    if error.validator == "minProperties" and path and path[-1] == "actors":
        return path_text(path), "name at least one side that acts at this step"
    return path_text(path), error.message


# --- checks a schema cannot express --------------------------------------------------------


def _duplicates(
    items: Sequence[Mapping[str, Any]], *, where: list[str | int], what: str
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    first_at: dict[Any, int] = {}
    for index, item in enumerate(items):
        slug = item.get("slug")
        if slug in first_at:
            problems.append(
                (
                    path_text([*where, index, "slug"]),
                    f"{what} slug {slug!r} is already used at "
                    f"{path_text([*where, first_at[slug]])}",
                )
            )
        else:
            first_at[slug] = index
    return problems


def _deadline_problems(rule: Mapping[str, Any], where: list[str | int]) -> list[tuple[str, str]]:
    kind = rule.get("kind")
    amount = rule.get("amount")
    if kind in COUNTED_KINDS:
        unit = "working days" if kind == "working_days" else "clock hours"
        if amount is None:
            return [(path_text(where), f"{kind} needs an amount ({unit}, 1 or more)")]
        if amount <= 0:
            return [
                (
                    path_text([*where, "amount"]),
                    f"{kind} needs an amount of 1 or more, not {amount}",
                )
            ]
    elif amount not in (None, 0):
        return [(path_text([*where, "amount"]), f"{kind} takes no amount (found {amount})")]
    return []


def _step_problems(
    step: Mapping[str, Any], where: list[str | int], sections: Mapping[str, Any]
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    actors = step.get("actors", {})
    for side, role in actors.items():
        allowed = SIDE_ROLES.get(side)
        if allowed is None:
            problems.append((path_text([*where, "actors", side]), f"{side!r} is not a side"))
        elif role not in allowed:
            problems.append(
                (
                    path_text([*where, "actors", side]),
                    f"{role!r} cannot act for the {side} side (one of {sorted(allowed)})",
                )
            )
    for side in step.get("titles", {}):
        if side not in actors:
            problems.append(
                (
                    path_text([*where, "titles", side]),
                    f"a title for the {side} side, but no role acts for it in actors",
                )
            )
    problems += _deadline_problems(step.get("deadline", {}), [*where, "deadline"])
    if "deadline_when_risk" in step:
        problems += _deadline_problems(step["deadline_when_risk"], [*where, "deadline_when_risk"])
    section = step.get("record_section")
    if section is not None and section not in sections:
        known = ", ".join(sections) if sections else "there are none"
        problems.append(
            (
                path_text([*where, "record_section"]),
                f"{section!r} is not a key of record_sections (known: {known})",
            )
        )
    return problems


def _route_problems(
    route: Mapping[str, Any], where: list[str | int], sections: Mapping[str, Any]
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    steps: list[Mapping[str, Any]] = route.get("steps", [])
    questions: list[Mapping[str, Any]] = route.get("questions", [])
    problems += _duplicates(questions, where=[*where, "questions"], what="question")
    for index, question in enumerate(questions):
        if question.get("options") and all(o.get("refuses") for o in question["options"]):
            problems.append(
                (
                    path_text([*where, "questions", index, "options"]),
                    "every answer refuses the route: at least one answer must let it be used",
                )
            )
        problems += _duplicates(
            question.get("options", []),
            where=[*where, "questions", index, "options"],
            what="option",
        )

    targets = [i for i, s in enumerate(steps) if s.get("target")]
    if len(targets) > 1:
        problems.append(
            (
                path_text([*where, "steps", targets[1], "target"]),
                "a route has at most one target step, and "
                f"{path_text([*where, 'steps', targets[0]])} is already its target",
            )
        )
    for index in targets:
        step = steps[index]
        if step.get("number") != 0:
            problems.append(
                (
                    path_text([*where, "steps", index, "number"]),
                    f"a target step is step 0, not step {step.get('number')}",
                )
            )
        if step.get("may_skip_when_risk"):
            problems.append(
                (
                    path_text([*where, "steps", index, "may_skip_when_risk"]),
                    "a target never delays step 1, so it cannot be skipped",
                )
            )
    if steps and len(targets) == len(steps):
        problems.append(
            (
                path_text([*where, "steps"]),
                "a target is never the only step: add the steps a case climbs (step 1 on)",
            )
        )

    seen_at: dict[int, int] = {}
    previous: int | None = None
    for index, step in enumerate(steps):
        number = step.get("number")
        here = [*where, "steps", index]
        if not isinstance(number, int):
            continue
        if number in seen_at:
            problems.append(
                (
                    path_text([*here, "number"]),
                    f"step number {number} is used twice in this route "
                    f"(also at {path_text([*where, 'steps', seen_at[number]])})",
                )
            )
        elif previous is not None and number < previous:
            problems.append(
                (
                    path_text([*here, "number"]),
                    f"step numbers must increase: step {number} comes after step {previous}",
                )
            )
        elif number == 0 and not step.get("target"):
            problems.append(
                (path_text([*here, "number"]), "step 0 is a target: add `target: true`")
            )
        seen_at.setdefault(number, index)
        previous = number if previous is None else max(previous, number)
        problems += _step_problems(step, here, sections)

    ladder = [i for i, s in enumerate(steps) if not s.get("target")]
    if ladder and steps[ladder[-1]].get("may_skip_when_risk"):
        problems.append(
            (
                path_text([*where, "steps", ladder[-1], "may_skip_when_risk"]),
                "the last step cannot be skipped: there is no step after it",
            )
        )
    return problems


def semantic_problems(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every (path, problem) the schema cannot see, in document order. Expects a document
    that has passed the schema."""
    problems: list[tuple[str, str]] = []
    sections: Mapping[str, Any] = document.get("record_sections", {})
    routes: list[Mapping[str, Any]] = document.get("routes", [])
    problems += _duplicates(document.get("categories", []), where=["categories"], what="category")
    for index, category in enumerate(document.get("categories", [])):
        if "refuses" in category:
            problems.append(
                (
                    path_text(["categories", index, "refuses"]),
                    "only an answer to a route's question can refuse a route, not a category",
                )
            )
    problems += _duplicates(
        document.get("not_for_this_procedure", []),
        where=["not_for_this_procedure"],
        what="not_for_this_procedure",
    )
    problems += _duplicates(routes, where=["routes"], what="route")
    for index, route in enumerate(routes):
        problems += _route_problems(route, ["routes", index], sections)
    for key, section in sections.items():
        problems += _duplicates(
            section.get("fields", []), where=["record_sections", key, "fields"], what="field"
        )
    return problems


# --- the entry points ----------------------------------------------------------------------


def preset_files(directory: Path | str | None = None) -> list[Path]:
    """The preset files: every *.yaml in settings.POLICY_PRESETS_DIR (or `directory`), by name.

    The folder is the only list of presets, so adding one is adding its file: the loader,
    the pages and the tests all find it here.
    """
    folder = Path(directory if directory is not None else settings.POLICY_PRESETS_DIR)
    return sorted(folder.glob("*.yaml"))


def validate_policy_document(document: Any, *, source: str) -> dict[str, Any]:
    """Check a policy document against the schema and the semantic checks.

    Returns the document unchanged when it passes; raises PolicyFileError naming `source`,
    the path inside the document and what is wrong (the most relevant problem first).
    """
    if not isinstance(document, dict):
        kind = "nothing" if document is None else type(document).__name__
        raise PolicyFileError(
            source=source,
            path="(top level)",
            problem=f"expected a mapping of policy keys (slug, name, routes, ...), found {kind}",
        )
    errors = list(_validator().iter_errors(document))
    if errors:
        best = best_match(errors)
        assert best is not None  # errors is not empty
        ordered = [best, *(e for e in errors if e is not best)]
        described = [_schema_problem(e) for e in ordered]
        path, problem = described[0]
        raise PolicyFileError(
            source=source,
            path=path,
            problem=problem,
            problems=[f"{p}: {m}" for p, m in described],
        )
    semantic = semantic_problems(document)
    if semantic:
        path, problem = semantic[0]
        raise PolicyFileError(
            source=source,
            path=path,
            problem=problem,
            problems=[f"{p}: {m}" for p, m in semantic],
        )
    try:
        policy_from_document(document)
    except (KeyError, TypeError, ValueError) as error:  # a gap between schema and policy.py
        raise PolicyFileError(
            source=source, path="(top level)", problem=f"cannot be read as a policy: {error!r}"
        ) from error
    return document


def load_policy_file(path: str | Path) -> dict[str, Any]:
    """Read a policy file (YAML, of which JSON is a part) and check it.

    Returns the checked document; raises PolicyFileError naming the file, the place in it
    and what is wrong: a YAML syntax error by line and column, anything else by its path.
    """
    file = Path(path)
    source = str(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyFileError(
            source=source, path="(file)", problem=f"cannot be read: {error}"
        ) from error
    try:
        document = yaml.load(text, Loader=_PolicyLoader)  # _PolicyLoader is a SafeLoader
    except yaml.YAMLError as error:
        raise PolicyFileError(
            source=source, path=_yaml_location(error), problem=_yaml_problem(error)
        ) from error
    # A round trip through JSON gives every `*alias` its own copy (so that changing one place
    # of a document never changes another) and proves the document can be stored as JSON.
    try:
        document = json.loads(json.dumps(document))
    except (TypeError, ValueError) as error:
        raise PolicyFileError(
            source=source, path="(top level)", problem=f"holds a value JSON cannot: {error}"
        ) from error
    return validate_policy_document(document, source=source)


__all__ = [
    "SCHEMA_PATH",
    "PolicyFileError",
    "load_policy_file",
    "path_text",
    "policy_schema",
    "preset_files",
    "semantic_problems",
    "validate_policy_document",
]
