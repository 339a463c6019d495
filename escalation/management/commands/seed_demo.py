import json
from typing import Any

from django.core.management.base import BaseCommand

from escalation.demo import seed_demo


class Command(BaseCommand):
    help = "Load the policy presets and the demo partnerships, people and cases (once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--json", action="store_true", help="Print the sign-ins and cases as JSON."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        demo = seed_demo()
        if options["json"]:
            self.stdout.write(json.dumps(demo, indent=2))
            return
        self.stdout.write(
            f"Demo: {len(demo['cases'])} cases. Sign in with any of these (password for all: "
            f"{demo['users'][0]['password']}):"
        )
        shown: set[tuple[str, str]] = set()
        for user in demo["users"]:
            key = (user["partnership"], user["role"])
            if key in shown:
                continue
            shown.add(key)
            self.stdout.write(f"  {user['username']:<34} {user['role']:<18} {user['agency']}")
        self.stdout.write(
            "Every agency has a person in every role: see `python manage.py seed_demo --json`."
        )
