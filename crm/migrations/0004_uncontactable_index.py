"""The short list of customers a segment count must leave out: merged away or opted out.

Tag-driven segments (crm.segments.members) read a tag's members from its index and subtract
these ids instead of probing every member's customer row. A partial index keeps the list as
small as the exceptions are (a few per cent of customers). Raw SQL because Tortoise's Index has
no WHERE clause; SQLite and PostgreSQL both accept it."""

from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('siyu', '0003_segment_indexes')]

    initial = False

    operations = [
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_customer_uncontactable" '
            'ON "customer" ("id", "opted_out", "merged_into_id") '
            'WHERE "opted_out" OR "merged_into_id" IS NOT NULL',
            reverse_sql='DROP INDEX IF EXISTS "idx_customer_uncontactable"',
        ),
    ]
