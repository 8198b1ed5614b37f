"""The national data set of bench/national.py, built small: what the benchmarks measure must be a registry
the product could hold (valid NIKs that agree with birth date and sex, unique keys, every role's object)
in the proportions the module promises, and a second run must reuse it instead of building again.

PostgreSQL only (the builder is): it builds `bench_national_2500` on the DATABASE_URL server and drops it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from cakupan.registry.nik import nik_check

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("DATABASE_URL", "")
PERSONS = 2_500  # 2,000 members: whole thousands, so the per-mille segments come out exact

pytestmark = pytest.mark.skipif(
    not URL.startswith("postgres"), reason="the national builder needs PostgreSQL"
)


def _build(*extra: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.national", "--url", URL, "--persons", str(PERSONS), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def built() -> Iterator[tuple[str, str]]:
    import psycopg

    sys.path.insert(0, str(ROOT))
    from bench.national import database_url

    url = database_url(URL, PERSONS)
    output = _build("--rebuild")
    yield url, output
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')


def _rows(url: str, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def test_every_nik_is_valid_unique_and_agrees_with_the_person(built: tuple[str, str]) -> None:
    url, _output = built
    persons = _rows(url, "SELECT nik, birth_date, sex, address_region_id FROM registry_person")
    assert len(persons) == PERSONS
    assert len({nik for nik, *_ in persons}) == PERSONS
    for nik, birth_date, sex, region in persons:
        check = nik_check(nik, birth_date=birth_date, sex=sex)
        assert check.valid, (nik, check.errors)
        assert not check.warnings, (nik, check.warnings)
        assert str(nik)[:6] == str(region).replace(".", ""), (nik, region)


def test_memberships_come_in_the_promised_proportions(built: tuple[str, str]) -> None:
    url, _output = built
    counts = dict(_rows(url, "SELECT segment, count(*) FROM registry_membership GROUP BY segment"))
    members = sum(counts.values())  # type: ignore[arg-type]
    assert members == PERSONS * 8 // 10
    assert counts == {"PU": 1250, "BPU": 462, "JAKON": 258, "PMI": 30}  # 62.5 %, 23.1 %, 12.9 %, 1.5 %
    [(kpjs, distinct)] = _rows(url, "SELECT count(*), count(DISTINCT kpj) FROM registry_membership")
    assert kpjs == distinct == members
    [(employments,)] = _rows(url, "SELECT count(*) FROM registry_employment")
    assert employments == counts["PU"]


def test_every_role_has_its_user_and_its_scope_is_populated(built: tuple[str, str]) -> None:
    from bench.national import MALANG_REGENCIES, USERNAMES

    url, _output = built
    users = dict(_rows(url, "SELECT username, role FROM accounts_user"))
    assert set(users) == set(USERNAMES.values())
    assert set(users.values()) == {
        "national_admin",
        "branch_staff",
        "agency",
        "employer_hr",
        "sponsor",
        "worker",
    }
    [(in_malang,)] = _rows(
        url,
        "SELECT count(*) FROM registry_person WHERE substr(address_region_id, 1, 5) = ANY(%s)",
        [list(MALANG_REGENCIES)],
    )
    assert in_malang == PERSONS * 12 // 100  # the branch office's share of the nation
    [(workers,)] = _rows(url, "SELECT count(*) FROM registry_employment WHERE employer_id = 1")
    assert workers == 20  # the first 20 members, all PU; 50,000 at 10 M persons
    [(accounts,)] = _rows(url, "SELECT count(*) FROM contributions_payeraccount WHERE kind = 'self'")
    [(paying_self,)] = _rows(url, "SELECT count(*) FROM registry_membership WHERE payer_kind = 'self'")
    assert accounts == paying_self > 0


def test_a_second_run_reuses_what_was_built(built: tuple[str, str]) -> None:
    output = _build()
    assert "reused" in output
    assert "[national] persons" not in output
