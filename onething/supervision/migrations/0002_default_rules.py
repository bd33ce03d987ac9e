"""Create the default warning rules (task 80 % / overdue, commitment overdue, 12345 limits)."""

from django.db import migrations


def create(apps, schema_editor):
    from onething.supervision.defaults import DEFAULT_RULES

    WarningRule = apps.get_model("supervision", "WarningRule")
    for code, name, target, level, condition, threshold, description in DEFAULT_RULES:
        WarningRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "target": target, "level": level, "condition": condition,
                "threshold": threshold, "description": description,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
