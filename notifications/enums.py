"""The words of the outbox: what a notification is about, and the lifecycle of a row.

An outbox row is written PENDING, in the same transaction as the change that causes it (a
transition) or by the deadline sweep. A worker then delivers it once, as an in-app
notification and an e-mail, and marks it SENT in the same transaction as the in-app
notification. A reminder or overdue alert whose step completes before it is delivered, or
that could not go out within the working day it was written for, becomes CANCELLED. An
e-mail that still fails after the last retry makes the row FAILED (the in-app notification
is made all the same), which administrators see in the admin. SENT, CANCELLED and FAILED
are final: nothing delivers such a row again.
"""

from django.db import models


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


class Event(models.TextChoices):
    """What happened. The case.* events come from the transitions; the step.* events are the
    reminders and alerts of the deadline sweep ("chasers")."""

    CASE_RAISED = "case.raised", "Case raised"
    CASE_ESCALATED = "case.escalated", "Case escalated"
    CASE_SKIPPED = "case.skipped", "Step skipped"
    CASE_RESOLUTION_PROPOSED = "case.resolution_proposed", "Resolution waiting for agreement"
    CASE_RESOLVED = "case.resolved", "Case resolved"
    CASE_WITHDRAWN = "case.withdrawn", "Case withdrawn"
    CASE_REASSIGNED = "case.reassigned", "Step reassigned"
    CASE_CHASED = "case.chased", "Step chased"
    STEP_DUE_SOON = "step.due_soon", "Reminder: due next working day"
    STEP_DUE_TODAY = "step.due_today", "Reminder: due today"
    STEP_OVERDUE = "step.overdue", "Overdue alert"


# The sweep's reminders and alerts: cancelled when their step completes.
CHASERS = frozenset({Event.STEP_DUE_SOON, Event.STEP_DUE_TODAY, Event.STEP_OVERDUE})
# Of those, the ones that also go to the actors' line managers and safeguarding leads.
ESCALATING_CHASERS = frozenset({Event.STEP_OVERDUE})
