"""python manage.py api_token USERNAME [--name NAME]: print a new personal access token."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.tokens import token_create


class Command(BaseCommand):
    help = "Make a personal access token for a person and print it (shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active person with username {options['username']!r}") from None
        token, text = token_create(user=user, name=options["name"])
        self.stdout.write(text)
        self.stderr.write(
            f"Token {token.prefix} expires {token.expires_at:%Y-%m-%d}. It is not shown again."
        )
