"""Database helpers shared by the bulk services."""

from __future__ import annotations

from django.db import connection


def deferred_checks_now() -> None:
    """Check the deferred foreign keys of the rows this transaction wrote so far, now rather than at COMMIT:
    a violation then fails inside the service that wrote them, and a bulk write's checks (seconds for a
    million rows) can be timed as a phase of their own. PostgreSQL only: SQLite checks them at COMMIT."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
