"""Records written before the service took only its section's fields may hold the engine's
old spellings of the five restorative parts (underscores) and a typed "signature": rename the
first to the policy's slugs and drop the second (the signature is who confirmed the record,
recorded on the step)."""

from django.db import migrations

OLD_KEYS = {
    "thoughts_and_feelings": "thoughts-and-feelings",
    "ways_forward": "ways-forward",
    "agreed_actions": "agreed-actions",
}


def respell(apps, schema_editor):
    CaseStep = apps.get_model("escalation", "CaseStep")
    for step in CaseStep.objects.exclude(record={}).only("pk", "record").iterator():
        record = dict(step.record or {})
        changed = False
        for old, new in OLD_KEYS.items():
            if old in record:
                value = record.pop(old)
                record.setdefault(new, value)
                changed = True
        if "signature" in record:
            del record["signature"]
            changed = True
        if changed:
            CaseStep.objects.filter(pk=step.pk).update(record=record)


class Migration(migrations.Migration):
    dependencies = [("escalation", "0003_history_reason_text")]

    operations = [migrations.RunPython(respell, migrations.RunPython.noop)]
