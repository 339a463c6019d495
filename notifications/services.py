"""Writing to the outbox. Delivery (in-app and e-mail) is done by the notification jobs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from notifications.models import OutboxMessage

if TYPE_CHECKING:
    from escalation.models import Case, CaseStep


def outbox_add(
    *,
    event: str,
    case: Case,
    recipients: Iterable[Any],
    step: CaseStep | None = None,
    payload: dict[str, Any] | None = None,
) -> list[OutboxMessage]:
    """Write one outbox row per recipient, in the caller's transaction.

    Side effects: inserts OutboxMessage rows. The key (event, case, its version, recipient)
    is unique, so writing the same notification twice adds nothing.
    """
    written = []
    seen: set[int] = set()
    for person in recipients:
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        key = f"{event}:case{case.pk}:v{case.version}:user{person.pk}"
        message, _ = OutboxMessage.objects.get_or_create(
            key=key,
            defaults={
                "event": event,
                "case": case,
                "step": step,
                "recipient": person,
                "payload": {"reference": case.reference, **(payload or {})},
            },
        )
        written.append(message)
    return written
