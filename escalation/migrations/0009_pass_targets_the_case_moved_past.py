"""Targets left open on cases that had already moved on past step 1 (before the transitions
closed them as passed): closed now as passed, at the moment step 1 ended, and their unsent
reminders cancelled. Written rows only: the history gains no entry for this tidying."""

from django.db import migrations
from django.utils import timezone

CHASERS = ("step.due_soon", "step.due_today", "step.overdue")


def pass_targets(apps, schema_editor):
    CaseStep = apps.get_model("escalation", "CaseStep")
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    targets = CaseStep.objects.filter(is_target=True, completed_at__isnull=True)
    for target in targets.iterator():
        left = (
            CaseStep.objects.filter(
                case_id=target.case_id, is_target=False, number=1, completed_at__isnull=False
            )
            .values_list("completed_at", "completed_by_id")
            .first()
        )
        if left is None:
            continue  # still at step 1: the target still runs
        target.completed_at, target.completed_by_id = left
        target.outcome = "passed"
        target.outcome_reason = "the case moved on past step 1"
        target.save(update_fields=["completed_at", "completed_by", "outcome", "outcome_reason"])
        OutboxMessage.objects.filter(step_id=target.pk, status="pending", event__in=CHASERS).update(
            status="cancelled",
            cancelled_at=timezone.now(),
            cancel_reason="target passed: the case moved on",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0008_step_outcome_passed"),
        ("notifications", "0002_notification_and_delivery"),
    ]

    operations = [migrations.RunPython(pass_targets, migrations.RunPython.noop)]
