"""The database cache table the public sign-up's throttles count in (settings.CACHES["throttle"]): a
table every gunicorn worker shares, on SQLite and PostgreSQL alike. `createcachetable` skips a table that
exists (the test runner creates it too)."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create(apps: Any, schema_editor: Any) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_events_and_signups")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
