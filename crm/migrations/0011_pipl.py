"""PIPL (issue 17): consent records, consent and erasure marks on the customer.

Existing customers get no consent on record (marketing_consent false): consent is not
inferred from a follow made before it was asked for."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('siyu', '0010_delivery_hot_updates')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ConsentRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('siyu.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='consent_records', on_delete=OnDelete.CASCADE)),
                ('granted', fields.BooleanField(description='true: consent given, false: withdrawn')),
                ('source', fields.CharField(description='follow, subscribe_text, import, ...', max_length=32)),
                ('purpose', fields.CharField(description='what the person agreed to', max_length=128)),
                ('detail', fields.CharField(null=True, description='import file, date given', max_length=128)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'consent_record', 'app': 'siyu', 'indexes': [Index(fields=['customer_id', 'at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='CampaignDelivery',
            name='needs_consent',
            field=fields.BooleanField(default=False, description='PIPL: sent only with consent on record', db_default=False),
        ),
        ops.AddField(
            model_name='Customer',
            name='consent_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Customer',
            name='consent_source',
            field=fields.CharField(null=True, description='follow, 订阅, import', max_length=32),
        ),
        ops.AddField(
            model_name='Customer',
            name='erased_at',
            field=fields.DatetimeField(null=True, description='personal data erased (anonymized)', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Customer',
            name='marketing_consent',
            field=fields.BooleanField(default=False, description='consent to marketing on record', db_default=False),
        ),
    ]
