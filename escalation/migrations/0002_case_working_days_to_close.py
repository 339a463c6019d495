"""Working days from raising to closing, kept on each closed case for the board's reports.

The backfill computes the figure for cases closed before this field existed, with the same
function the transitions use (escalation.deadlines.working_days_between).
"""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from agencies.calendars import WorkingCalendar
    from escalation.deadlines import working_days_between

    Case = apps.get_model("escalation", "Case")
    calendars = {}
    closed = Case.objects.filter(closed_at__isnull=False, working_days_to_close__isnull=True)
    for case in closed.select_related("partnership").iterator():
        partnership = case.partnership
        calendar = calendars.get(partnership.pk)
        if calendar is None:
            calendar = calendars[partnership.pk] = WorkingCalendar(
                nation=partnership.nation,
                closure_days={c.date: c.name for c in partnership.closure_days.all()},
                close_of_business=partnership.close_of_business,
            )
        case.working_days_to_close = working_days_between(case.raised_at, case.closed_at, calendar)
        case.save(update_fields=["working_days_to_close"])


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="working_days_to_close",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="working_days_to_close",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
