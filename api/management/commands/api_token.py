"""python manage.py api_token USERNAME [--name NAME]: print a new personal access token.
python manage.py api_token USERNAME --revoke PREFIX: revoke one of theirs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.models import ApiToken
from api.tokens import token_create, token_revoke


class Command(BaseCommand):
    help = "Make a personal access token for a person and print it (shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for")
        parser.add_argument("--revoke", default="", help="Revoke the token with this prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active person with username {options['username']!r}") from None
        if options["revoke"]:
            token = ApiToken.objects.filter(user=user, prefix=options["revoke"]).first()
            if token is None:
                raise CommandError(f"{user.username} has no token {options['revoke']!r}")
            token_revoke(token=token)
            self.stdout.write(f"Token {token.prefix} is revoked.")
            return
        token, text = token_create(user=user, name=options["name"])
        self.stdout.write(text)
        self.stderr.write(
            f"Token {token.prefix} expires {token.expires_at:%Y-%m-%d}. It is not shown again."
        )
