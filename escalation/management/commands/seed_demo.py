import json
from itertools import groupby
from typing import Any

from django.core.management.base import BaseCommand

from escalation.demo import DEMO_PASSWORD, seed_demo

# The sign-ins worth printing: enough to walk a case up the ladder in each partnership.
SHOWN_ROLES = ("practitioner", "line_manager", "senior_manager", "safeguarding_lead", "board_staff")


class Command(BaseCommand):
    help = "Load the policy presets and the demo partnerships, people and cases (once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--json", action="store_true", help="Print every sign-in and case as JSON."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        demo = seed_demo()
        if options["json"]:
            self.stdout.write(json.dumps(demo, indent=2))
            return
        self.stdout.write(
            f"Demo ready: {len(demo['cases'])} cases in {len({c['partnership'] for c in demo['cases']})} "
            f"partnerships. Every password is {DEMO_PASSWORD}"
        )
        for partnership, users in groupby(demo["users"], key=lambda u: u["partnership"]):
            self.stdout.write(f"\n{partnership}")
            for user in users:
                if user["role"] in SHOWN_ROLES:
                    self.stdout.write(f"  {user['username']:<32} {user['agency']}")
        self.stdout.write(
            "\nEvery agency has a person in every role: `python manage.py seed_demo --json` lists all."
        )
