"""Surveys: definitions, questions, responses and answers, and a nullable survey on a campaign
(a survey sent to a segment through the outbox). (makemigrations again proposed re-adding
RfmScore.customer_id, the spurious primary-key diff: left out.)"""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from crm.models.surveys import QuestionType, ResponseStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('siyu', '0008_complaints')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Survey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=128)),
                ('intro', fields.TextField(unique=False)),
                ('thanks', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'survey', 'app': 'siyu', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyQuestion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('survey', fields.ForeignKeyField('siyu.Survey', source_field='survey_id', db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.CASCADE)),
                ('position', fields.SmallIntField(description='1-based order within the survey')),
                ('kind', fields.CharEnumField(description='NPS: nps\nCSAT: csat\nSINGLE: single\nMULTI: multi\nTEXT: text', enum_type=QuestionType, max_length=8)),
                ('text', fields.TextField(unique=False)),
                ('options', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('skip_if', fields.JSONField(null=True, description='question and values', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'survey_question', 'app': 'siyu', 'unique_together': (('survey', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('survey', fields.ForeignKeyField('siyu.Survey', source_field='survey_id', db_constraint=True, to_field='id', related_name='responses', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('siyu.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='survey_responses', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=ResponseStatus.INVITED, description='INVITED: invited\nIN_PROGRESS: in_progress\nCOMPLETED: completed\nABANDONED: abandoned\nEXPIRED: expired', enum_type=ResponseStatus, max_length=12)),
                ('current', fields.SmallIntField(null=True, description='position of the question asked')),
                ('source', fields.CharField(description='cli, segment, complaint_resolved', max_length=32)),
                ('invited_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'survey_response', 'app': 'siyu', 'indexes': [Index(fields=['customer_id', 'status']), Index(fields=['survey_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyAnswer',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('response', fields.ForeignKeyField('siyu.SurveyResponse', source_field='response_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('question', fields.ForeignKeyField('siyu.SurveyQuestion', source_field='question_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('number', fields.SmallIntField(null=True, description='NPS or CSAT score')),
                ('choices', fields.JSONField(null=True, description='1-based option numbers', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('text', fields.TextField(null=True, unique=False)),
                ('skipped', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'survey_answer', 'app': 'siyu', 'unique_together': (('response', 'question'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Campaign',
            name='survey',
            field=fields.ForeignKeyField('siyu.Survey', source_field='survey_id', null=True, db_constraint=True, to_field='id', related_name='campaigns', on_delete=OnDelete.SET_NULL),
        ),
    ]
