import json
from itertools import groupby
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from agencies.enums import Role
from agencies.models import Partnership
from escalation.demo import DEMO_PASSWORD, seed_demo

ROLE_WORDS = dict(Role.choices)


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
                role = ROLE_WORDS.get(user["role"], user["role"])
                self.stdout.write(f"  {user['username']:<34} {role:<32} {user['agency']}")
        waiting = [c for c in demo["cases"] if c["awaiting_agreement"]]
        if waiting:
            self.stdout.write("\nA resolution waits for the raiser to agree or dispute:")
            for case in waiting:
                self.stdout.write(f"  {case['reference']:<16} sign in as {case['raised_by']}")
        self.stdout.write(
            "\n`python manage.py seed_demo --json` lists every sign-in and case as JSON."
        )
        self.stdout.write(self.sweep_note())

    def sweep_note(self) -> str:
        """When reminders arrive: the sweep writes them only in each partnership's hours."""
        hours = sorted(
            {
                (p.working_day_starts.strftime("%H:%M"), p.close_of_business.strftime("%H:%M"))
                for p in Partnership.objects.all()
            }
        )
        spans = " or ".join(f"{start} to {end}" for start, end in hours) or "working hours"
        return (
            "\nReminders and overdue alerts: the deadline sweep runs every "
            f"{settings.RESOLVE_SWEEP_MINUTES:g} minutes but writes only within each "
            f"partnership's working hours ({spans} UK time, on its nation's working days); "
            "outside them, nothing new arrives in the inbox until the next working day begins."
        )
