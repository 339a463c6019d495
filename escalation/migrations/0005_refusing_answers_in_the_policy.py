"""The answer that refuses a route moved from the raise pages' code into the policy's data (an
option's `refuses`). Stored policy documents written before then gain it where the code gave
it: the "attended: no" answer of a conference-dissent route, so that their cases refuse what
they refused before, and loading the presets again finds the same document."""

from django.db import migrations

REFUSES = (
    "A dissent can be recorded only by a professional who attended the conference, and only "
    "while the conference is being recorded. The dissenting professional did not attend, so "
    "this dissent cannot be raised on this route."
)


def add_refuses(apps, schema_editor):
    PolicyVersion = apps.get_model("escalation", "PolicyVersion")
    for version in PolicyVersion.objects.only("pk", "document").iterator():
        document = version.document or {}
        changed = False
        for route in document.get("routes", ()):
            for question in route.get("questions", ()):
                if question.get("slug") != "attended":
                    continue
                for option in question.get("options", ()):
                    if option.get("slug") == "no" and "refuses" not in option:
                        option["refuses"] = REFUSES
                        changed = True
        if changed:
            PolicyVersion.objects.filter(pk=version.pk).update(document=document)


class Migration(migrations.Migration):
    dependencies = [("escalation", "0004_record_keys_as_the_policy_spells_them")]

    operations = [migrations.RunPython(add_refuses, migrations.RunPython.noop)]
