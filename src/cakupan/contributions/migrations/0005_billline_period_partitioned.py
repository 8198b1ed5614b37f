"""Bill lines carry their bill's period, and on PostgreSQL the table is partitioned by it (LIST, one partition
per month and a default one): docs/design.md, "Bill lines partitioned by period".

SQLite keeps one table: only the column and the widened unique key. On PostgreSQL the table is rebuilt
(renamed, a partitioned table made LIKE it, the rows copied, the old one dropped), and its keys, indexes and
foreign keys are made again under their old names, with the period in the primary key (id, period): a
partitioned table's unique keys must hold its partition key. The model keeps `id` as its primary key.
"""

from typing import Any

from django.db import migrations, models

TABLE = "contributions_billline"


def _partition_name(period: str) -> str:
    # services/billing_partitions.partition_name (a migration imports no app code).
    return f"{TABLE}_{period.replace('-', '_')}"


def _rebuild(schema_editor: Any, *, partitioned: bool) -> None:
    """Rebuild the table partitioned by period (or back to one table), keeping every key and index."""
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    old = f"{TABLE}_rebuilt"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype, conname",
            [TABLE],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [TABLE, TABLE],
        )
        indexes = cursor.fetchall()
        cursor.execute(f"SELECT DISTINCT period FROM {TABLE} ORDER BY 1")  # noqa: S608
        periods = [period for (period,) in cursor.fetchall()]
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        (sequence,) = cursor.fetchone()
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {TABLE}")  # noqa: S608
        (next_id,) = cursor.fetchone()
    run(f"ALTER TABLE {TABLE} RENAME TO {old}")
    tail = " PARTITION BY LIST (period)" if partitioned else ""
    run(
        f"CREATE TABLE {TABLE} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY)"
        + tail
    )
    if partitioned:
        run(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        for period in periods:
            run(f"CREATE TABLE {_partition_name(period)} PARTITION OF {TABLE} FOR VALUES IN ('{period}')")
    run(f"INSERT INTO {TABLE} SELECT * FROM {old}")  # noqa: S608
    run(f"DROP TABLE {old}")  # its sequence with it: the new table has its own, renamed to the old name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        (created,) = cursor.fetchone()
    if created != sequence:
        run(f"ALTER SEQUENCE {created} RENAME TO {sequence.split('.')[-1]}")
    run(f"SELECT setval('{sequence}', {next_id}, false)")
    key = "PRIMARY KEY (id, period)" if partitioned else "PRIMARY KEY (id)"
    for name, kind, definition in constraints:
        run(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {key if kind == 'p' else definition}")
    for _name, definition in indexes:
        run(definition.replace(" ONLY ", " "))


def partition(apps: Any, schema_editor: Any) -> None:
    _rebuild(schema_editor, partitioned=True)


def unpartition(apps: Any, schema_editor: Any) -> None:
    _rebuild(schema_editor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("contributions", "0004_payment_held_for_review")]

    operations = [
        migrations.AddField(
            model_name="billline",
            name="period",
            field=models.CharField(default="", max_length=7, verbose_name="period"),
            preserve_default=False,
        ),
        migrations.RunSQL(
            "UPDATE contributions_billline SET period = "
            "(SELECT b.period FROM contributions_bill b WHERE b.id = contributions_billline.bill_id)",
            migrations.RunSQL.noop,
        ),
        migrations.RemoveConstraint(model_name="billline", name="billline_one_per_member"),
        migrations.AddConstraint(
            model_name="billline",
            constraint=models.UniqueConstraint(
                fields=("bill", "membership", "period"), name="billline_one_per_member"
            ),
        ),
        migrations.RunPython(partition, unpartition),
    ]
