"""The sentiment tag for a customer with several negative messages in a week is renamed from
流失风险 to 持续不满 (nlp.unhappy.tag): 流失风险 read like the lifecycle's 流失预警 (the at_risk
stage, a customer who has gone quiet), a different thing. Existing rows follow the new default
name unless a tag of that name exists already; segment rules naming the old tag are left as
they are (a rule names what staff chose)."""

from tortoise import migrations
from tortoise.migrations import operations as ops

_RENAME = (
    'UPDATE "tag" SET "name" = \'{new}\' WHERE "name" = \'{old}\' '
    'AND NOT EXISTS (SELECT 1 FROM "tag" t WHERE t."name" = \'{new}\')'
)


class Migration(migrations.Migration):
    dependencies = [('siyu', '0004_uncontactable_index')]

    initial = False

    operations = [
        ops.RunSQL(
            _RENAME.format(old="流失风险", new="持续不满"),
            reverse_sql=_RENAME.format(old="持续不满", new="流失风险"),
        ),
    ]
