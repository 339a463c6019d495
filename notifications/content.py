"""What a notification says, in the inbox and in its e-mail.

Only the case reference, the step, its due moment and a link: never what the disagreement
is about, nor anything that identifies the child or adult (initials, age, record numbers).
The words are made when the row is delivered, from the step as it is then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from email.utils import parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from agencies.calendars import LONDON
from notifications.enums import Event

if TYPE_CHECKING:
    from notifications.models import OutboxMessage

# Each e-mail names its outbox row, so that a delivery done twice can be recognised: the
# file backend names its file by it, and the Message-ID is made from it.
KEY_HEADER = "X-Resolve-Outbox-Key"


@dataclass(frozen=True)
class Content:
    title: str  # the inbox line and the e-mail's subject
    summary: str  # one sentence
    reference: str
    step: str  # the step's name in the policy, e.g. "Step 2 - Line managers"
    due: str  # the due moment in UK time, or "" when the step is due never
    path: str  # the case page
    url: str  # the case page, absolute (for e-mails)


def moment_text(moment: dt.datetime | None) -> str:
    """E.g. "17:00 Mon 30 Nov 2026" (UK time)."""
    if moment is None:
        return ""
    local = moment.astimezone(LONDON)
    return f"{local:%H:%M %a} {local.day} {local:%b %Y}"


def _sentences(
    event: str, ref: str, number: str, due: str, chased_by: str = "", awaiting: bool = False
) -> tuple[str, str]:
    time_today = due.split(" ", 1)[0] if due else ""
    words: dict[str, tuple[str, str]] = {
        Event.CASE_RAISED: (
            f"New case {ref}",
            f"Case {ref} has been raised and is at step {number}. You are one of the people "
            "who need to know about it or act on it.",
        ),
        Event.CASE_ESCALATED: (
            f"Case {ref} escalated to step {number}",
            f"Case {ref} was not resolved at its last step and has moved to step {number}.",
        ),
        Event.CASE_SKIPPED: (
            f"Case {ref} moved to step {number}",
            f"A step of case {ref} was skipped; the case is now at step {number}.",
        ),
        Event.CASE_RESOLUTION_PROPOSED: (
            f"Case {ref}: do you agree it is resolved?",
            f"The other side proposes that case {ref} is resolved at step {number}. Read "
            "the step's record, then agree, or dispute it to take the case to the next step.",
        ),
        Event.CASE_RESOLVED: (
            f"Case {ref} resolved",
            f"Case {ref} has been resolved at step {number}.",
        ),
        Event.CASE_WITHDRAWN: (
            f"Case {ref} withdrawn",
            f"Case {ref} has been withdrawn by the agency that raised it.",
        ),
        Event.CASE_REASSIGNED: (
            f"Case {ref}: you now act at step {number}",
            f"You have been named as the person who acts at step {number} of case {ref}.",
        ),
        Event.CASE_CHASED: (
            f"Chased: case {ref}, step {number} is overdue",
            f"{chased_by or 'A safeguarding lead'} chased step {number} of case {ref}, due at "
            f"{due} and still open. You act at this step or manage someone who does: the "
            "case's history says why it was chased.",
        ),
        Event.STEP_DUE_SOON: (
            f"Reminder: case {ref} is due next working day",
            f"Step {number} of case {ref} is due at {due}.",
        ),
        Event.STEP_DUE_TODAY: (
            f"Reminder: case {ref} is due today",
            f"Step {number} of case {ref} is due today at {time_today}.",
        ),
        Event.STEP_OVERDUE: (
            f"Overdue: case {ref}, step {number}",
            f"Step {number} of case {ref} was due at {due} and is still open.",
        ),
    }
    # While a proposed resolution waits for the raiser, the step's reminders go to them alone.
    waits_for_answer = "The other side proposes that it is resolved: agree, or dispute it to take "
    waits_for_answer += "the case to the next step."
    answer_awaited: dict[str, tuple[str, str]] = {
        Event.STEP_DUE_SOON: (
            f"Case {ref}: the resolution waits for your answer",
            f"Step {number} of case {ref} is due at {due}. {waits_for_answer}",
        ),
        Event.STEP_DUE_TODAY: (
            f"Case {ref}: the resolution waits for your answer",
            f"Step {number} of case {ref} is due at {due}. {waits_for_answer}",
        ),
        Event.STEP_OVERDUE: (
            f"Case {ref}: the resolution waits for your answer",
            f"Step {number} of case {ref} was due at {due}. {waits_for_answer}",
        ),
    }
    if awaiting:
        words |= answer_awaited
    return words.get(event, (f"Case {ref} changed", f"Case {ref} has changed."))


def describe(row: OutboxMessage) -> Content:
    """The words of an outbox row, from its case and step as they are now."""
    case, step = row.case, row.step
    number = str(step.number) if step is not None else ""
    due = moment_text(step.due_at) if step is not None else ""
    chased_by = str((row.payload or {}).get("chased_by", ""))
    awaiting = (row.payload or {}).get("awaiting") == "agreement"
    title, summary = _sentences(row.event, case.reference, number, due, chased_by, awaiting)
    path = reverse("escalation:case", args=[case.reference])
    return Content(
        title=title,
        summary=summary,
        reference=case.reference,
        step=step.name if step is not None else "",
        due=due,
        path=path,
        url=f"{settings.RESOLVE_BASE_URL}{path}",
    )


def message_id(key: str) -> str:
    """The same Message-ID for every sending of one outbox row, so that mail systems can
    recognise a repeat."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "resolve.invalid"
    return f"<{digest}.outbox@{domain}>"


def build_email(row: OutboxMessage, content: Content) -> EmailMultiAlternatives:
    """The e-mail of an outbox row, in plain text and HTML."""
    context = {"content": content, "recipient": row.recipient}
    message = EmailMultiAlternatives(
        subject=content.title,
        body=render_to_string("email/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient.email],
        headers={"Message-ID": message_id(row.key), KEY_HEADER: row.key},
    )
    message.attach_alternative(render_to_string("email/notification.html", context), "text/html")
    return message


_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def file_name_for_key(key: str) -> str:
    """A file name made from an outbox key: readable, and unique by a digest of the key."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"{_UNSAFE.sub('-', key).strip('-')[:150]}-{digest}.eml"
