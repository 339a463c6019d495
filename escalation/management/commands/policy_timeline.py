"""What falls due when, if every step of a policy's route runs to its deadline.

    python manage.py policy_timeline oscb-children --nation england --start 2026-12-23T15:00
    python manage.py policy_timeline sab-adults --nation wales --start 2027-05-01T10:00 --risk --json

A thin caller of escalation.queries.oversight.policy_timeline (which the policy timeline page
also calls) over the policy's newest published version, with the nation's bank holidays and no
closure days.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.calendars import LONDON, NATIONS
from escalation.deadlines import TimelineEntry, parse_moment
from escalation.enums import PolicyVersionStatus
from escalation.models import Policy, PolicyVersion
from escalation.policy import PolicySpec, RouteSpec
from escalation.queries.oversight import TimelineInputError, policy_timeline, timeline_nation


class Command(BaseCommand):
    help = (
        "Show what falls due when if every step of a policy's route runs to its deadline. "
        "Times are Europe/London."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the policy's slug, e.g. oscb-children")
        parser.add_argument(
            "--nation", required=True, help=f"whose bank holidays count: {', '.join(NATIONS)}"
        )
        parser.add_argument(
            "--start",
            required=True,
            help="when the case is raised, ISO 8601; without an offset, Europe/London time",
        )
        parser.add_argument("--route", help="the route's slug (default: the policy's first)")
        parser.add_argument(
            "--risk", action="store_true", help="a risk of significant harm is flagged"
        )
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args: Any, **options: Any) -> None:
        slug: str = options["slug"]
        nation: str = options["nation"]
        risk: bool = options["risk"]
        try:
            timeline_nation(nation)
        except TimelineInputError as error:
            raise CommandError(error.message) from None
        try:
            start = parse_moment(options["start"])
        except ValueError as error:
            raise CommandError(f"Bad --start: {error}.") from None
        version = _published_version(slug)
        try:
            preview = policy_timeline(
                version=version, route=options["route"], nation=nation, start=start, risk=risk
            )
        except TimelineInputError as error:
            raise CommandError(error.message) from None
        policy, route, entries = preview.policy, preview.route, preview.entries

        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "policy": slug,
                        "version": version.number,
                        "route": route.slug,
                        "nation": nation,
                        "risk": risk,
                        "steps": [_entry_data(e) for e in entries],
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
            return
        self.stdout.write(_table(policy, version, route, nation, risk, start, entries))


def _published_version(slug: str) -> PolicyVersion:
    policy = Policy.objects.filter(slug=slug).first()
    if policy is None:
        known = list(Policy.objects.order_by("slug").values_list("slug", flat=True))
        if not known:
            raise CommandError(f"No policy {slug!r}: no policies are loaded (run load_policies).")
        raise CommandError(f"No policy {slug!r}. Policies: {', '.join(known)}.")
    version = (
        policy.versions.filter(status=PolicyVersionStatus.PUBLISHED).order_by("-number").first()
    )
    if version is None:
        raise CommandError(f"Policy {slug!r} has no published version.")
    return version


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(LONDON).isoformat()


def _entry_data(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "number": entry.number,
        "name": entry.name,
        "starts": _iso(entry.starts),
        "due": _iso(entry.due),
        "explanation": entry.explanation,
    }


def _shown(moment: dt.datetime | None, *, never: str) -> str:
    if moment is None:
        return never
    local = moment.astimezone(LONDON)
    return f"{local:%H:%M %Z} {local:%a} {local.day} {local:%b %Y}"


def _table(
    policy: PolicySpec,
    version: PolicyVersion,
    route: RouteSpec,
    nation: str,
    risk: bool,
    start: dt.datetime,
    entries: list[TimelineEntry],
) -> str:
    risk_text = "risk of significant harm" if risk else "no risk of significant harm flagged"
    lines = [
        f"{policy.name} ({version.policy.slug}, version {version.number})",
        f"Route: {route.name} ({route.slug}); {NATIONS[nation][1]}; {risk_text}",
        f"Raised {_shown(start, never='')}; times in Europe/London",
        "",
    ]
    rows = [
        (str(e.number), e.name, _shown(e.starts, never="-"), _shown(e.due, never="never"))
        for e in entries
    ]
    header = ("Step", "Name", "Starts", "Due")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    lines.append(line(header).rstrip())
    lines.append(line(tuple("-" * w for w in widths)))
    indent = " " * (widths[0] + 2)
    for entry, row in zip(entries, rows, strict=True):
        lines.append(line(row).rstrip())
        lines.append(f"{indent}{entry.explanation}")
    return "\n".join(lines)
