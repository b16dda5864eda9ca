"""Complaint tickets: workflow fields, messages, history, the daily number counter and the
notification outbox. (The customer/status index is re-created: SQLite's
rebuild drops it. makemigrations again proposed the spurious RfmScore.customer_id diff:
left out.)"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from crm.models.complaints import ComplaintSeverity, ComplaintStatus, NotificationStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('siyu', '0007_audit')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ComplaintCounter',
            fields=[
                ('day', fields.CharField(primary_key=True, unique=True, db_index=True, description='local date YYYYMMDD', max_length=8)),
                ('seq', fields.IntField(default=0)),
            ],
            options={'table': 'complaint_counter', 'app': 'siyu', 'pk_attr': 'day'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ComplaintHistory',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('complaint', fields.ForeignKeyField('siyu.Complaint', source_field='complaint_id', db_constraint=True, to_field='id', related_name='history', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor', fields.CharField(description='an Actor label', max_length=96)),
                ('action', fields.CharField(max_length=24)),
                ('from_status', fields.CharField(null=True, max_length=16)),
                ('to_status', fields.CharField(null=True, max_length=16)),
                ('note', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'complaint_history', 'app': 'siyu', 'indexes': [Index(fields=['complaint_id', 'at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ComplaintMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('complaint', fields.ForeignKeyField('siyu.Complaint', source_field='complaint_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('text', fields.TextField(unique=False)),
                ('dedupe_key', fields.CharField(null=True, description='the WeChat message', max_length=160)),
            ],
            options={'table': 'complaint_message', 'app': 'siyu', 'unique_together': (('complaint_id', 'dedupe_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ComplaintNotification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('complaint', fields.ForeignKeyField('siyu.Complaint', source_field='complaint_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(description='opened, reopened:1, sla:first_response', max_length=48)),
                ('target', fields.CharField(description='touser, totag or robot', max_length=16)),
                ('recipient', fields.CharField(description='userids a|b, tag ids or robot key', max_length=512)),
                ('text', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=NotificationStatus.PENDING, description='PENDING: pending\nSENT: sent\nFAILED: failed', enum_type=NotificationStatus, max_length=8)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'complaint_notification', 'app': 'siyu', 'unique_together': (('complaint_id', 'key', 'target'),), 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Complaint',
            name='status',
            field=fields.CharEnumField(default=ComplaintStatus.OPEN, description='OPEN: open\nACKNOWLEDGED: acknowledged\nRESOLVED: resolved\nCLOSED: closed\nREOPENED: reopened', enum_type=ComplaintStatus, max_length=16),
        ),
        ops.AddField(
            model_name='Complaint',
            name='assignee',
            field=fields.CharField(null=True, description='WeCom userid', max_length=64),
        ),
        ops.AddField(
            model_name='Complaint',
            name='category',
            field=fields.CharField(default='其他', max_length=16),
        ),
        ops.AddField(
            model_name='Complaint',
            name='first_response_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Complaint',
            name='first_response_due',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Complaint',
            name='number',
            field=fields.CharField(null=True, unique=True, description='C20261201-0007', max_length=16),
        ),
        ops.AddField(
            model_name='Complaint',
            name='reopen_count',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='Complaint',
            name='resolution',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Complaint',
            name='resolution_due',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Complaint',
            name='resolved_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Complaint',
            name='satisfaction',
            field=fields.SmallIntField(null=True, description='1 to 5 after resolution'),
        ),
        ops.AddField(
            model_name='Complaint',
            name='satisfaction_asked_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Complaint',
            name='severity',
            field=fields.CharEnumField(default=ComplaintSeverity.NORMAL, description='LOW: low\nNORMAL: normal\nHIGH: high\nURGENT: urgent', enum_type=ComplaintSeverity, max_length=8),
        ),
        ops.AddIndex(
            model_name='Complaint',
            index=Index(fields=['status', 'created_at']),
        ),
        # SQLite rebuilds the table for the AlterField above and drops its indexes with it
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_complaint_customer_status" '
            'ON "complaint" ("customer_id", "status")',
            reverse_sql='DROP INDEX IF EXISTS "idx_complaint_customer_status"',
        ),
    ]
