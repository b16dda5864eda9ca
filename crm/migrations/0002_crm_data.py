from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from crm.models.complaints import ComplaintStatus
from crm.models.customers import BirthdayCalendar, LifecycleStage
from crm.models.points import PointsKind
from crm.models.segments import SegmentKind
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('siyu', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Complaint',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('siyu.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='complaints', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=ComplaintStatus.OPEN, description='OPEN: open\nCLOSED: closed', enum_type=ComplaintStatus, max_length=8)),
                ('summary', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'complaint', 'app': 'siyu', 'indexes': [Index(fields=['customer_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CustomerMerge',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('survivor', fields.ForeignKeyField('siyu.Customer', source_field='survivor_id', db_constraint=True, to_field='id', related_name='merges', on_delete=OnDelete.CASCADE)),
                ('merged_id', fields.BigIntField(db_index=True, description='the record merged away (kept)')),
                ('reason', fields.CharField(description='unionid, phone or staff', max_length=32)),
                ('snapshot', fields.JSONField(description='fields of both records before the merge and the ids of the moved rows', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'customer_merge', 'app': 'siyu', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LifecycleChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('siyu.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='lifecycle_changes', on_delete=OnDelete.CASCADE)),
                ('from_stage', fields.CharEnumField(description='PROSPECT: prospect\nNEW: new\nACTIVE: active\nLOYAL: loyal\nAT_RISK: at_risk\nCHURNED: churned', enum_type=LifecycleStage, max_length=8)),
                ('to_stage', fields.CharEnumField(description='PROSPECT: prospect\nNEW: new\nACTIVE: active\nLOYAL: loyal\nAT_RISK: at_risk\nCHURNED: churned', enum_type=LifecycleStage, max_length=8)),
                ('changed_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lifecycle_change', 'app': 'siyu', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Order',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('siyu.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.CASCADE)),
                ('external_id', fields.CharField(unique=True, max_length=64)),
                ('amount', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('currency', fields.CharField(default='CNY', max_length=3)),
                ('items_summary', fields.CharField(null=True, max_length=255)),
                ('paid_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('channel', fields.CharField(null=True, description='shop, mini program, store', max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'orders', 'app': 'siyu', 'indexes': [Index(fields=['customer_id', 'paid_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PointsEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('siyu.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='points_entries', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='EARN: earn\nREDEEM: redeem\nEXPIRE: expire\nADJUST: adjust', enum_type=PointsKind, max_length=8)),
                ('amount', fields.IntField(description='signed change of the balance')),
                ('remaining', fields.IntField(default=0, description='unspent part of a credit (FIFO)')),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reference', fields.CharField(unique=True, max_length=128)),
                ('note', fields.CharField(null=True, max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'points_entry', 'app': 'siyu', 'indexes': [Index(fields=['customer_id', 'remaining', 'expires_at']), Index(fields=['expires_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RfmScore',
            fields=[
                ('customer_id', fields.BigIntField(primary_key=True, unique=True, db_index=True, description='customer.id')),
                ('r_score', fields.SmallIntField(description='recency 1 (longest ago) to 5 (most recent)')),
                ('f_score', fields.SmallIntField(description='frequency 1 (fewest orders) to 5')),
                ('m_score', fields.SmallIntField(description='monetary 1 (least spent) to 5')),
                ('scored_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rfm_score', 'app': 'siyu', 'pk_attr': 'customer_id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Segment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('description', fields.CharField(null=True, max_length=255)),
                ('kind', fields.CharEnumField(default=SegmentKind.DYNAMIC, description='DYNAMIC: dynamic\nSTATIC: static', enum_type=SegmentKind, max_length=8)),
                ('rule', fields.JSONField(description='the rule as JSON, see crm.segments', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('snapshot_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('member_count', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'segment', 'app': 'siyu', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SegmentMember',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('segment', fields.ForeignKeyField('siyu.Segment', source_field='segment_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('siyu.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='segment_memberships', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'segment_member', 'app': 'siyu', 'unique_together': (('segment', 'customer'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Customer',
            name='birthday',
            field=fields.DateField(null=True, description='solar date of birth when the year is known'),
        ),
        ops.AddField(
            model_name='Customer',
            name='birthday_calendar',
            field=fields.CharEnumField(default=BirthdayCalendar.SOLAR, description='SOLAR: solar\nLUNAR: lunar', db_default='solar', enum_type=BirthdayCalendar, max_length=8),
        ),
        ops.AddField(
            model_name='Customer',
            name='birthday_leap',
            field=fields.BooleanField(default=False, description='born in a lunar leap month', db_default=False),
        ),
        ops.AddField(
            model_name='Customer',
            name='birthday_md',
            field=fields.SmallIntField(null=True, description='month*100+day of the birthday in birthday_calendar'),
        ),
        ops.AddField(
            model_name='Customer',
            name='first_order_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Customer',
            name='last_order_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Customer',
            name='lifecycle_changed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Customer',
            name='lifecycle_stage',
            field=fields.CharEnumField(default=LifecycleStage.PROSPECT, description='PROSPECT: prospect\nNEW: new\nACTIVE: active\nLOYAL: loyal\nAT_RISK: at_risk\nCHURNED: churned', db_default='prospect', enum_type=LifecycleStage, max_length=8),
        ),
        ops.AddField(
            model_name='Customer',
            name='merged_into',
            field=fields.ForeignKeyField('siyu.Customer', source_field='merged_into_id', null=True, db_constraint=True, to_field='id', related_name='merged_from', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Customer',
            name='order_count',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Customer',
            name='points_balance',
            field=fields.IntField(default=0, description='cache of the points ledger sum', db_default=0),
        ),
        ops.AddField(
            model_name='Customer',
            name='total_spent',
            field=fields.DecimalField(default=0, db_default=0, max_digits=14, decimal_places=2),
        ),
        ops.AddIndex(
            model_name='Customer',
            index=Index(fields=['birthday_calendar', 'birthday_md']),
        ),
        ops.AddIndex(
            model_name='Customer',
            index=Index(fields=['lifecycle_stage', 'total_spent', 'merged_into_id']),
        ),
        ops.AddIndex(
            model_name='Customer',
            index=Index(fields=['points_balance', 'last_active_at', 'merged_into_id']),
        ),
        ops.AddIndex(
            model_name='Customer',
            index=Index(fields=['id', 'opted_out', 'merged_into_id']),
        ),
        # customer_tag is looked up by tag (segments: has tag vip) but its unique index starts
        # with customer_id: add one starting with tag_id. Raw SQL because the CustomerTag model
        # is owned elsewhere; both SQLite and PostgreSQL accept it.
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_customer_tag_tag_customer" '
            'ON "customer_tag" ("tag_id", "customer_id")',
            reverse_sql='DROP INDEX IF EXISTS "idx_customer_tag_tag_customer"',
        ),
    ]
