"""The payer accounts' audience (contributions.PayerAccountAudience): the scope keys of the registry
(registry/services/scope_keys.py) carried to the accounts, so that a branch office's or an agency's account
list is one index range in the list's order (kind, id) instead of a join of every self-paying account with
its person's address.

Keys, as accounts.scope.Scope.payer_accounts decides: an employer's account has its employer's keys
(`a:<regency>` of its region, `h:<regency>` too when it is a health facility, `b:<office>` for the office it
is filed under and for each office serving its region); a sponsor's account `a:` and `b:` of the sponsor's
region; a self-paying person's account `a:` and `b:` of where they live. The state-budget account has none
(national only).

Kept set-based, inside the writer's transaction: `account_keys_follow` runs after every refresh of the
registry's keys (the self-paying accounts of the persons refreshed, the accounts of the employers changed;
everything on a rebuild), and `account_keys_refresh` after accounts are created (billing).
`account_keys_differences` compares them with a fresh derivation (the consistency test).
"""
# ruff: noqa: S608 - SQL text built from model table names and choice values, values are parameters

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction

from cakupan.accounts.scope import AudienceKind
from cakupan.contributions.models import PayerAccount, PayerAccountAudience
from cakupan.core.sqlnames import quoted, table
from cakupan.registry.models import Employer, Person, Sponsor
from cakupan.registry.services.scope_keys import ScopeKeyDifference, SqlText, ids_sql, region_offices_sql

AUDIENCE, ACCOUNT = table(PayerAccountAudience), table(PayerAccount)
EMPLOYER, SPONSOR, PERSON = table(Employer), table(Sponsor), table(Person)
KIND = PayerAccount.Kind
BRANCH, AGENCY, HEALTH = (
    f"'{k.value}:'" for k in (AudienceKind.BRANCH, AudienceKind.AGENCY, AudienceKind.HEALTH)
)


def _keys_sql(where: str) -> str:
    """(key, account_id, kind) rows, distinct, of the accounts `pa` matching `where`."""
    return f"""WITH region_offices AS ({region_offices_sql()}),
        payers AS (
            SELECT pa.id, pa.kind, coalesce(e.region_id, s.region_id, p.address_region_id) AS region,
                e.branch_office_id AS office, coalesce(e.facility_type, '') AS facility
            FROM {ACCOUNT} pa LEFT JOIN {EMPLOYER} e ON e.id = pa.employer_id
                LEFT JOIN {SPONSOR} s ON s.id = pa.sponsor_id LEFT JOIN {PERSON} p ON p.id = pa.person_id
            WHERE pa.kind <> {quoted(KIND.GOVERNMENT)} AND ({where})
        )
        SELECT DISTINCT k.key, k.account_id, k.kind FROM (
            SELECT {AGENCY} || substr(region, 1, 5) AS key, id AS account_id, kind FROM payers
            UNION ALL
            SELECT {HEALTH} || substr(region, 1, 5), id, kind FROM payers
                WHERE kind = {quoted(KIND.EMPLOYER)} AND facility <> ''
            UNION ALL
            SELECT {BRANCH} || CAST(office AS TEXT), id, kind FROM payers WHERE office IS NOT NULL
            UNION ALL
            SELECT {BRANCH} || ro.office, py.id, py.kind
                FROM payers py JOIN region_offices ro ON ro.code = py.region
        ) k"""


def _write(where: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        if where == "true":
            cursor.execute(f"DELETE FROM {AUDIENCE}")
        else:
            cursor.execute(
                f"DELETE FROM {AUDIENCE} WHERE account_id IN (SELECT pa.id FROM {ACCOUNT} pa WHERE {where})",
                params,
            )
        cursor.execute(f"INSERT INTO {AUDIENCE} (key, account_id, kind) {_keys_sql(where)}", params)


def account_keys_follow(persons: SqlText | None, employers: Sequence[int]) -> None:
    """After the registry's scope keys of `persons` (None: everyone) were derived again: the keys of their
    self-paying accounts and of the accounts of `employers`; every account's when None."""
    if persons is None:
        _write("true", [])
        return
    where = f"pa.person_id IN ({persons.text})"
    params = list(persons.params)
    if employers:
        listed = ids_sql(employers)
        assert listed is not None
        where += f" OR pa.employer_id IN ({listed.text})"
        params += listed.params
    _write(where, params)


def account_keys_refresh(account_ids: Iterable[int]) -> None:
    """Derives the keys of these accounts (new ones: billing creates accounts as it needs them)."""
    ids = ids_sql(account_ids)
    assert ids is not None
    with transaction.atomic(savepoint=False):
        _write(f"pa.id IN ({ids.text})", list(ids.params))


def account_keys_differences(limit: int = 50) -> list[ScopeKeyDifference]:
    """The accounts' keys that differ from a fresh derivation (empty when consistent), at most `limit`
    each way: row "key account", stored and derived the key's kind."""
    keys = _keys_sql("true")
    found: list[ScopeKeyDifference] = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key, account_id, kind FROM ({keys}) d "
            f"EXCEPT SELECT key, account_id, kind FROM {AUDIENCE} LIMIT {int(limit)}"
        )
        found += [ScopeKeyDifference(AUDIENCE, f"{k} {a}", "", kind) for k, a, kind in cursor.fetchall()]
        cursor.execute(
            f"SELECT key, account_id, kind FROM {AUDIENCE} "
            f"EXCEPT SELECT key, account_id, kind FROM ({keys}) d LIMIT {int(limit)}"
        )
        found += [ScopeKeyDifference(AUDIENCE, f"{k} {a}", kind, "") for k, a, kind in cursor.fetchall()]
    return found
