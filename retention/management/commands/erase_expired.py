from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from retention.services import due_for_erasure, erase_expired, retention_days


class Command(BaseCommand):
    help = (
        "Erase the subject identifiers and free text of cases closed longer ago than "
        "RESOLVE_RETENTION_DAYS (the daily job does the same)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List the cases due; erase nothing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        if dry_run:
            due = list(due_for_erasure().values_list("reference", "closed_at"))
            self.stdout.write(
                f"{len(due)} case(s) closed more than {retention_days()} days ago are due"
            )
            for reference, closed_at in due:
                self.stdout.write(f"  {reference} closed {closed_at:%d %B %Y}")
            return
        erased = erase_expired()
        self.stdout.write(f"Erased {erased} case(s) closed more than {retention_days()} days ago")
