"""Personal numbers in cases encrypted at rest: the application documents (SM4, whole JSON),
credit records' subject with a keyed-hash lookup column, and a column for what was queried
inside a document (the supervision demo's ``applicant_data.synthetic``).

Existing rows are converted with raw SQL in batches (``onething.common.pii_migrations``), on
SQLite and PostgreSQL alike. Reversible: the reverse decrypts and empties the hash column.
"""

import onething.common.security
from django.db import migrations, models

ID = "registry.id_number"
JSON_COLUMNS = {
    "cases_case": ["applicant_data", "form", "prefilled"],
    "cases_draft": ["applicant", "form"],
    "cases_task": ["data"],
    "cases_supplement": ["response"],
}


def _tables():
    from onething.common.pii_migrations import Column

    tables = {t: [Column(c, is_json=True) for c in cols] for t, cols in JSON_COLUMNS.items()}
    tables["cases_creditrecord"] = [Column("subject", hash_column="subject_hash", purpose=ID)]
    return tables


def encrypt_rows(apps, schema_editor):
    from onething.common.pii_migrations import encrypt_columns

    for table, columns in _tables().items():
        encrypt_columns(schema_editor, table, columns)


def decrypt_rows(apps, schema_editor):
    from onething.common.pii_migrations import decrypt_columns

    for table, columns in _tables().items():
        decrypt_columns(schema_editor, table, columns)


def mark_synthetic(apps, schema_editor):
    # Read while applicant_data is still plain JSON: afterwards nothing can look inside it.
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(applicant_data__synthetic=True).update(synthetic=True)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='synthetic',
            field=models.BooleanField(default=False, editable=False, verbose_name='演示数据'),
        ),
        migrations.RunPython(mark_synthetic, migrations.RunPython.noop),
        migrations.AddField(
            model_name='creditrecord',
            name='subject_hash',
            field=onething.common.security.HashField(blank=True, db_index=True, editable=False, max_length=64, purpose='registry.id_number', source='subject', verbose_name='主体证件号索引'),
        ),
        migrations.AlterField(
            model_name='case',
            name='applicant_data',
            field=onething.common.security.EncryptedJSONField(default=dict, verbose_name='申请人信息'),
        ),
        migrations.AlterField(
            model_name='case',
            name='form',
            field=onething.common.security.EncryptedJSONField(default=dict, verbose_name='表单'),
        ),
        migrations.AlterField(
            model_name='case',
            name='prefilled',
            field=onething.common.security.EncryptedJSONField(blank=True, default=dict, verbose_name='权威来源字段'),
        ),
        migrations.AlterField(
            model_name='creditrecord',
            name='subject',
            field=onething.common.security.EncryptedCharField(lookup_via='subject_hash', max_length=32, verbose_name='主体证件号'),
        ),
        migrations.AlterField(
            model_name='draft',
            name='applicant',
            field=onething.common.security.EncryptedJSONField(blank=True, default=dict, verbose_name='申请人'),
        ),
        migrations.AlterField(
            model_name='draft',
            name='form',
            field=onething.common.security.EncryptedJSONField(blank=True, default=dict, verbose_name='表单'),
        ),
        migrations.AlterField(
            model_name='supplement',
            name='response',
            field=onething.common.security.EncryptedJSONField(blank=True, default=dict, verbose_name='补正内容'),
        ),
        migrations.AlterField(
            model_name='task',
            name='data',
            field=onething.common.security.EncryptedJSONField(blank=True, default=dict, verbose_name='办理数据'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
