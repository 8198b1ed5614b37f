"""A database of its own for tests that run the product in other processes (`cakupan ...`): the test
database of pytest-django is invisible to them (in memory on SQLite, uncommitted on PostgreSQL).

`served_env(tmp)` migrates a fresh database (SQLite file, or `<test db>_sub` on PostgreSQL), loads the
regions, one national admin and the employer NPP00001, and returns the environment for subprocesses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SETUP = """
from cakupan.accounts.models import Role, User
from cakupan.regions.services import branch_office_upsert
from cakupan.registry import services
admin = User.objects.create_user(username="admin", password="x", role=Role.NATIONAL_ADMIN)
office = branch_office_upsert(code="MLG", name="Malang", seat="35.73", regions=["35.73"])
services.employer_register(actor=admin, npp="NPP00001", name="RS Contoh", legal_form="PT",
    size_class="menengah", kbli="86101", risk_class=2, region="35.73.01", branch_office=office.pk)
"""


def cakupan(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "cakupan.cli", *args], env=env, capture_output=True, text=True, **kwargs
    )


def query(env: dict[str, str], code: str) -> Any:
    """The JSON that `code` (Python with Django set up) prints, run in another process."""
    done = cakupan(env, "shell", "-c", code, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def served_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAKUPAN_")}
    env["CAKUPAN_VAR_DIR"] = str(tmp / "var")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        parts = urlsplit(url)
        name = "test_" + parts.path.lstrip("/") + "_sub"
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'served.sqlite3'}"
    for step in (("migrate", "--noinput"), ("regions", "load"), ("shell", "-c", SETUP)):
        done = cakupan(env, *step, timeout=600)
        assert done.returncode == 0, done.stderr
    return env
