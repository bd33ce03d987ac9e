"""Warning rules carry a region (empty: the whole province, as every existing rule stays).

Also: a threshold stored as NaN or ±Infinity before input refused them made GET
/api/supervision/rules emit invalid JSON; such a rule is disabled with threshold 0 and a note.
"""

import math

import django.db.models.deletion
from django.db import migrations, models


def disable_non_finite(apps, schema_editor):
    WarningRule = apps.get_model("supervision", "WarningRule")
    for rule in WarningRule.objects.all():
        if not math.isfinite(rule.threshold):
            note = f"（阈值 {rule.threshold} 不是有限数字，已置 0 并停用，请核对后重新启用）"
            rule.threshold, rule.enabled = 0, False
            rule.description = (rule.description + note)[:2000]
            rule.save(update_fields=["threshold", "enabled", "description"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_security"),
        ("supervision", "0002_default_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="warningrule",
            name="region",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.region",
                verbose_name="适用区划（空为全省）",
            ),
        ),
        migrations.RunPython(disable_non_finite, migrations.RunPython.noop),
    ]
