"""Campaigns, their runs, the outbox of deliveries, coupons, staff-written templates, and notices
sent once. (makemigrations also proposed re-adding RfmScore.customer_id, a spurious diff of the
primary-key field: left out.)"""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from crm.models.campaigns import CampaignKind, CampaignStatus, DeliveryStatus, RunStatus, SendChannel
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('siyu', '0005_unhappy_tag')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MessageTemplate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'message_template', 'app': 'siyu', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('kind', fields.CharEnumField(description='BIRTHDAY: birthday\nHOLIDAY: holiday\nPOINTS: points\nWINBACK: winback\nCUSTOM: custom', enum_type=CampaignKind, max_length=8)),
                ('status', fields.CharEnumField(default=CampaignStatus.DRAFT, description='DRAFT: draft\nSCHEDULED: scheduled\nRUNNING: running\nPAUSED: paused\nDONE: done', enum_type=CampaignStatus, max_length=9)),
                ('segment', fields.ForeignKeyField('siyu.Segment', source_field='segment_id', null=True, db_constraint=True, to_field='id', related_name='campaigns', on_delete=OnDelete.RESTRICT)),
                ('rule', fields.JSONField(null=True, description='inline segment rule', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('text', fields.TextField(null=True, description='inline Jinja2 template', unique=False)),
                ('template_file', fields.CharField(null=True, description='a file in templates/', max_length=128)),
                ('template', fields.ForeignKeyField('siyu.MessageTemplate', source_field='template_id', null=True, db_constraint=True, to_field='id', related_name='campaigns', on_delete=OnDelete.RESTRICT)),
                ('template_message', fields.JSONField(null=True, description='{template_id, url?, data: {key: Jinja2 template}}', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('schedule', fields.JSONField(description='{at} | {cron} | {birthday} | …', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('timezone', fields.CharField(default='Asia/Shanghai', max_length=64)),
                ('quiet_start', fields.CharField(null=True, description='HH:MM, null for none', max_length=5)),
                ('quiet_end', fields.CharField(null=True, max_length=5)),
                ('frequency_exempt', fields.BooleanField(default=False)),
                ('options', fields.JSONField(default=dict, description='kind-specific: second_text, second_after_days, …', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'campaign', 'app': 'siyu', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CampaignRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('campaign', fields.ForeignKeyField('siyu.Campaign', source_field='campaign_id', db_constraint=True, to_field='id', related_name='runs', on_delete=OnDelete.CASCADE)),
                ('run_key', fields.CharField(description='local date, date#2, manual:…', max_length=48)),
                ('run_date', fields.DateField(description='the local date the run is for')),
                ('step', fields.SmallIntField(default=1, description="2: win-back's second message")),
                ('status', fields.CharEnumField(default=RunStatus.ENQUEUING, description='ENQUEUING: enqueuing\nSENDING: sending\nDONE: done', enum_type=RunStatus, max_length=9)),
                ('dry_run', fields.BooleanField(default=False)),
                ('targeted', fields.IntField(default=0)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('enqueued_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'campaign_run', 'app': 'siyu', 'unique_together': (('campaign', 'run_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CampaignDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('run', fields.ForeignKeyField('siyu.CampaignRun', source_field='run_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('campaign_id', fields.IntField(description='copied from the run: stats and frequency cap')),
                ('customer', fields.ForeignKeyField('siyu.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='campaign_deliveries', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, description='PENDING: pending\nSENT: sent\nWAITING: waiting\nFAILED: failed\nSKIPPED: skipped', enum_type=DeliveryStatus, max_length=8)),
                ('reason', fields.CharField(null=True, description='why skipped or failed', max_length=64)),
                ('errcode', fields.IntField(null=True, description="WeChat's errcode of a failure")),
                ('channel', fields.CharEnumField(null=True, description='CUSTOMER_SERVICE: customer_service\nTEMPLATE: template\nWECOM_TASK: wecom_task', enum_type=SendChannel, max_length=16)),
                ('marketing', fields.BooleanField(default=True, description='counts against the cap')),
                ('due_at', fields.DatetimeField(description='not before (quiet hours, retry backoff)', auto_now=False, auto_now_add=False)),
                ('attempts', fields.SmallIntField(default=0)),
                ('claimed_by', fields.CharField(null=True, max_length=64)),
                ('claim_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('content', fields.TextField(null=True, description='the rendered text as sent', unique=False)),
                ('coupon_code', fields.CharField(null=True, max_length=32)),
                ('wechat_msgid', fields.CharField(null=True, description='msgid / task msgid', max_length=64)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'campaign_delivery', 'app': 'siyu', 'unique_together': (('run', 'customer'),), 'indexes': [Index(fields=['status', 'due_at']), Index(fields=['customer_id', 'status', 'sent_at']), Index(fields=['run_id', 'status']), Index(fields=['wechat_msgid'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Coupon',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('campaign', fields.ForeignKeyField('siyu.Campaign', source_field='campaign_id', db_constraint=True, to_field='id', related_name='coupons', on_delete=OnDelete.CASCADE)),
                ('run', fields.ForeignKeyField('siyu.CampaignRun', source_field='run_id', db_constraint=True, to_field='id', related_name='coupons', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('siyu.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='coupons', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'coupon', 'app': 'siyu', 'unique_together': (('run', 'customer'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SentNotice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'sent_notice', 'app': 'siyu', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
