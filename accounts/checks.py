from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_is_required(**kwargs: Any) -> list[Warning]:
    """Only the demo may waive two-factor sign-in: `check --deploy` says so in production."""
    if settings.RESOLVE_TWO_FACTOR:
        return []
    return [
        Warning(
            "Two-factor sign-in is waived (RESOLVE_TWO_FACTOR=false).",
            hint="Only the demo may run without it: unset RESOLVE_TWO_FACTOR in production.",
            id="accounts.W001",
        )
    ]
