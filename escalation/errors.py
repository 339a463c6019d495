"""Domain errors: a refused transition says why, in words a person can act on."""

from __future__ import annotations


class CaseError(Exception):
    """Base of every refusal; str(error) is the message shown to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(CaseError):
    """The person may not do this to this case now."""


class StaleCase(CaseError):
    """Someone else changed the case after the form was opened."""

    def __init__(self, reference: str) -> None:
        super().__init__(
            f"Case {reference} changed since you opened it. Nothing was saved: "
            "read the case again and then decide."
        )


class InvalidTransition(CaseError):
    """The case's state does not allow this change."""


class InvalidInput(CaseError):
    """What was given is not acceptable; field names the input at fault."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
