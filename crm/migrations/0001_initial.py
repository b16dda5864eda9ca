from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from crm.models.customers import Channel, Gender
from crm.models.interactions import Direction
from crm.models.staff import Role
from crm.models.tags import TagSource
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Customer',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('openid', fields.CharField(null=True, unique=True, max_length=64)),
                ('unionid', fields.CharField(null=True, db_index=True, max_length=64)),
                ('external_userid', fields.CharField(null=True, unique=True, max_length=64)),
                ('follow_user', fields.CharField(null=True, description='WeCom staff userid', max_length=64)),
                ('display_name', fields.CharField(null=True, max_length=64)),
                ('phone', fields.CharField(null=True, db_index=True, max_length=32)),
                ('birthday', fields.DateField(null=True)),
                ('gender', fields.CharEnumField(default=Gender.UNKNOWN, description='UNKNOWN: unknown\nMALE: male\nFEMALE: female', enum_type=Gender, max_length=8)),
                ('city', fields.CharField(null=True, max_length=64)),
                ('source_channel', fields.CharEnumField(default=Channel.OA, description='OA: oa\nWECOM: wecom\nIMPORT: import\nADMIN: admin', enum_type=Channel, max_length=8)),
                ('source_detail', fields.CharField(null=True, description='QR scene, 联系我 state', max_length=64)),
                ('subscribed', fields.BooleanField(default=False)),
                ('subscribed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('unsubscribed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('opted_out', fields.BooleanField(default=False)),
                ('opted_out_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_active_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('attributes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'customer', 'app': 'siyu', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Interaction',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('siyu.Customer', source_field='customer_id', null=True, db_constraint=True, to_field='id', related_name='interactions', on_delete=OnDelete.SET_NULL)),
                ('channel', fields.CharField(max_length=8)),
                ('direction', fields.CharEnumField(description='IN: in\nOUT: out', enum_type=Direction, max_length=3)),
                ('kind', fields.CharField(description='text, image, event:subscribe, reply:text…', max_length=48)),
                ('content', fields.TextField(null=True, unique=False)),
                ('payload', fields.TextField(null=True, description='the decrypted XML as WeChat sent it', unique=False)),
                ('msg_id', fields.CharField(null=True, max_length=32)),
                ('dedupe_key', fields.CharField(null=True, max_length=160)),
                ('sentiment_score', fields.FloatField(null=True)),
                ('sentiment_label', fields.CharField(null=True, max_length=8)),
                ('intent', fields.CharField(null=True, max_length=16)),
                ('keywords', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'interaction', 'app': 'siyu', 'unique_together': (('channel', 'dedupe_key'),), 'indexes': [Index(fields=['customer_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KeywordRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('keyword', fields.CharField(max_length=64)),
                ('tag', fields.CharField(max_length=64)),
                ('enabled', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'keyword_rule', 'app': 'siyu', 'unique_together': (('keyword', 'tag'),), 'pk_attr': 'id', 'table_description': 'A keyword that tags whoever writes it. Staff manage these (admin API), nlp reads them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Staff',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('userid', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(null=True, max_length=64)),
                ('role', fields.CharEnumField(default=Role.OPERATOR, description='ADMIN: admin\nOPERATOR: operator\nVIEWER: viewer', enum_type=Role, max_length=8)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff', 'app': 'siyu', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Tag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tag', 'app': 'siyu', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CustomerTag',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('siyu.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='tags', on_delete=OnDelete.CASCADE)),
                ('tag', fields.ForeignKeyField('siyu.Tag', source_field='tag_id', db_constraint=True, to_field='id', related_name='customers', on_delete=OnDelete.CASCADE)),
                ('source', fields.CharEnumField(description='KEYWORD: keyword\nSENTIMENT: sentiment\nINTENT: intent\nSTAFF: staff\nSEGMENT: segment\nIMPORT: import', enum_type=TagSource, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'customer_tag', 'app': 'siyu', 'unique_together': (('customer', 'tag'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
