"""One vocabulary for raw SQL (core/sqlnames.py): the set-based modules take table and column names from
the models and statuses from the model choices.

- every name they were handed is a table, or a column of that table, in the migrated database;
- their source spells no model's table name and no choice value as an SQL literal ('active'), so the
  next statement written there cannot drift from the models either;
- a renamed field fails where the SQL is built, not when a statement runs.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection

from cakupan.contributions.models import PayerAccount
from cakupan.core import sqlnames
from cakupan.registry.models import Citizenship, Employment, Membership, Segment, Sponsor

SET_BASED = (
    "cakupan.contributions.services.billable",
    "cakupan.contributions.services.billing",
    "cakupan.contributions.services.billing_sql",
    "cakupan.enrolment.services.merge",
    "cakupan.compliance.services.findings",
    "cakupan.compliance.services.matching",
    "cakupan.coverage.services.snapshots",
)
CHOICES = (
    Membership.Status,
    Membership.PayerKind,
    Segment,
    Sponsor.Kind,
    PayerAccount.Kind,
    Citizenship,
    Employment.Occupation,
    Employment.CivilService,
)


def strings_of(module: str) -> list[str]:
    """The string constants of a module's source, f-string parts included."""
    path = Path(importlib.import_module(module).__file__ or "")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def columns_of(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} WHERE 1 = 0")  # noqa: S608
        return [column[0] for column in cursor.description]


@pytest.mark.django_db
def test_every_name_handed_to_raw_sql_is_in_the_database() -> None:
    modules = [importlib.import_module(name) for name in SET_BASED]
    modules[0].billable_sql("m")  # the builders that run on call
    modules[-1]._regency_sql()
    used = set(sqlnames.USED)
    assert ("registry_membership", "start_date") in used  # the builders did go through sqlnames
    tables = set(connection.introspection.table_names())
    for table in sorted({t for t, _c in used}):
        assert table in tables, table
        columns = set(columns_of(table))
        missing = sorted(c for t, c in used if t == table and c is not None and c not in columns)
        assert missing == [], table


def spelled(texts: list[str]) -> list[str]:
    """Model table names and choice values (as SQL literals) written out in `texts`."""
    names = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    values = {str(v) for choices in CHOICES for v in choices.values}
    table_word = re.compile(r"\b(" + "|".join(sorted(names, key=len, reverse=True)) + r")\b")
    literal = re.compile(r"'(" + "|".join(sorted(values, key=len, reverse=True)) + r")'")
    found: list[str] = []
    for text in texts:
        found += table_word.findall(text) + [f"'{v}'" for v in literal.findall(text)]
    return found


@pytest.mark.parametrize("module", SET_BASED)
def test_no_table_name_or_choice_value_is_spelled_in_the_sql(module: str) -> None:
    assert spelled(strings_of(module)) == [], f"{module}: take these from the models (core/sqlnames.py)"


def test_the_check_finds_a_spelled_table_and_status() -> None:
    text = "SELECT 1 FROM registry_membership m WHERE m.status = 'active' AND m.segment = 'PU'"
    assert spelled([text]) == ["registry_membership", "'active'", "'PU'"]
    assert spelled(["SELECT 1 FROM registry_membership_x WHERE kind = 'activated'"]) == []


def test_a_renamed_field_fails_where_the_sql_is_built() -> None:
    assert sqlnames.column(Membership, "start_date") == "start_date"
    assert sqlnames.column(Membership, "employer") == "employer_id"
    with pytest.raises(FieldDoesNotExist):
        sqlnames.column(Membership, "begins_on")


def test_a_choice_literal_is_a_plain_word() -> None:
    assert sqlnames.quoted(Membership.Status.ACTIVE) == "'active'"
    assert sqlnames.quoted_list(Segment.PU, Segment.BPU) == "('PU', 'BPU')"
    with pytest.raises(ValueError, match="plain choice value"):
        sqlnames.quoted("x' OR '1'='1")
