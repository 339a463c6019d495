"""python manage.py load_policies: load the policy presets and publish what is new."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from escalation.domain.policies import PolicyError, load_presets
from escalation.domain.policy_files import PolicyFileError


class Command(BaseCommand):
    help = (
        "Load the policy presets (escalation/presets/*.yaml), checking each against the "
        "schema, and publish every new version. Running it again changes nothing; a broken "
        "file stops it with a message naming the file and the place in it, and nothing changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory",
            type=Path,
            default=None,
            help="Load the *.yaml files of this folder instead of settings.POLICY_PRESETS_DIR.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            loaded = load_presets(directory=options["directory"])
        except (PolicyFileError, PolicyError) as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] < 1:
            return
        for result in loaded:
            self.stdout.write(str(result))
        changed = sum(1 for r in loaded if r.action != "unchanged")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(loaded)} polic{'y' if len(loaded) == 1 else 'ies'} loaded, "
                f"{changed} new version{'' if changed == 1 else 's'} published."
            )
        )
