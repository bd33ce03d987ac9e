"""One person per ID number, now enforced on the keyed hash (filled by 0002)."""

import onething.common.security
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_pii_encrypted"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="id_number_hash",
            field=onething.common.security.HashField(
                blank=True,
                db_index=True,
                editable=False,
                max_length=64,
                purpose="registry.id_number",
                source="id_number",
                unique=True,
                verbose_name="公民身份号码索引",
            ),
        ),
    ]
