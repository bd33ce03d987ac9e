"""Issue #20: limits and trips as the reform counts them, and where the figures come from."""

from django.db import migrations, models


def visits_to_alone(apps, schema_editor):
    # The old count described today's online item; the nearest honest reading is submissions.
    ServiceItem = apps.get_model("catalog", "ServiceItem")
    for item in ServiceItem.objects.all():
        item.visits_alone = {"submit": item.visits, "inspect": 0, "collect": 0}
        item.save(update_fields=["visits_alone"])


def alone_to_visits(apps, schema_editor):
    ServiceItem = apps.get_model("catalog", "ServiceItem")
    for item in ServiceItem.objects.all():
        item.visits = sum((item.visits_alone or {}).values())
        item.save(update_fields=["visits"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_item_decided_by")]

    operations = [
        migrations.AddField(
            model_name="serviceitem",
            name="instant",
            field=models.BooleanField(
                default=False, help_text="单独办理时当场办结", verbose_name="即办件"
            ),
        ),
        migrations.AddField(
            model_name="serviceitem",
            name="visits_alone",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="{submit, inspect, collect}",
                verbose_name="单独办理跑动次数",
            ),
        ),
        migrations.AddField(
            model_name="serviceitem",
            name="sources",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="{limits: 时限依据, materials: 材料依据}",
                verbose_name="数据来源",
            ),
        ),
        migrations.RunPython(visits_to_alone, alone_to_visits),
        migrations.RemoveField(model_name="serviceitem", name="visits"),
        migrations.AddField(
            model_name="onething",
            name="committed_days",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="一件事承诺时限（工作日）"
            ),
        ),
        migrations.AddField(
            model_name="onething",
            name="visits",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="{submit, inspect, collect}",
                verbose_name="一件事跑动次数",
            ),
        ),
        migrations.AddField(
            model_name="onething",
            name="sources",
            field=models.JSONField(blank=True, default=dict, verbose_name="数据来源"),
        ),
        migrations.AddField(
            model_name="onethingitem",
            name="when_source",
            field=models.TextField(blank=True, verbose_name="适用情形依据"),
        ),
        migrations.AddField(
            model_name="onethingitem",
            name="committed_days",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="空为单独办理的承诺时限",
                null=True,
                verbose_name="一件事内承诺时限（工作日）",
            ),
        ),
        migrations.AddField(
            model_name="onethingitem",
            name="instant",
            field=models.BooleanField(default=False, verbose_name="一件事内即办"),
        ),
    ]
