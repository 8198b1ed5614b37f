"""A real PostgreSQL primary with a streaming hot standby, started for test_replica.py and stopped after it.

The pair is built from the test database as pytest-django left it (migrated, regions loaded): a primary of
our own (initdb in a temporary folder, free port, loopback only) receives a copy of it (pg_dump, pg_restore),
and `pg_basebackup -R -X stream` of that primary becomes the standby, which replays the primary's WAL as it
streams in. Why not a base backup of the test server itself: it copies the whole cluster, and beside the
test database that holds the benchmark databases (4.5 GB, 67 s to copy, while the national data set was being
built; more once it is), and it needs a replication rule in the server's pg_hba.conf, which is the
machine's, not ours. The server binaries are those of the test server's major version; as root they run as
the `postgres` OS user (PostgreSQL refuses to run as root).

A test sees on the standby what the primary has COMMITTED once replay has passed the primary's current WAL
position (`Pair.caught_up`); `Pair.paused()` holds replay, which makes "this read came from the replica"
observable: the standby keeps showing the old row.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

LOOPBACK = "127.0.0.1"


@dataclass
class Server:
    host: str
    port: int
    user: str
    dbname: str

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname=self.dbname, autocommit=True
        )

    def one(self, sql: str, params: list[Any] | None = None) -> Any:
        with self.connect() as conn:
            row = conn.execute(sql, params).fetchone()
        assert row is not None
        return row[0]


@dataclass
class Pair:
    primary: Server
    replica: Server
    folder: Path  # both data directories, the sockets and the servers' logs
    bindir: Path
    as_owner: list[str]  # the command prefix that runs a server binary as the data directories' owner
    started: list[Path] = field(default_factory=list)

    def caught_up(self, timeout: float = 30) -> None:
        """Wait until the standby has replayed everything the primary has written so far."""
        lsn = self.primary.one("SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + timeout
        with self.replica.connect() as conn:
            while not conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()[0]:  # type: ignore[index]
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the standby has not replayed up to {lsn} in {timeout} s")
                time.sleep(0.02)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Replay held: the standby goes on receiving WAL but shows nothing new until the block ends."""
        self.caught_up()
        with self.replica.connect() as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
            while conn.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != "paused":  # type: ignore[index]
                time.sleep(0.01)
            try:
                yield
            finally:
                conn.execute("SELECT pg_wal_replay_resume()")

    def run(self, *command: str) -> None:
        done = subprocess.run([*self.as_owner, *command], capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            logs = "".join(log.read_text()[-1500:] for log in sorted(self.folder.glob("*.log")))
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}\n{logs}")

    def start(self, datadir: Path, settings: dict[str, str]) -> None:
        """Our settings after whatever the data directory's postgresql.conf holds (the later line wins)."""
        with (datadir / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        pg_ctl = str(self.bindir / "pg_ctl")
        self.run(pg_ctl, "-D", str(datadir), "-l", f"{datadir}.log", "-w", "-t", "60", "start")
        self.started.append(datadir)

    def stop(self) -> None:
        for datadir in reversed(self.started):
            subprocess.run(  # noqa: S603 - the servers' own pg_ctl
                [*self.as_owner, str(self.bindir / "pg_ctl"), "-D", str(datadir), "-m", "fast", "-w", "stop"],
                check=False,
                capture_output=True,
            )
        shutil.rmtree(self.folder, ignore_errors=True)


def unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, which must run these tests."""
    if os.environ.get("CI"):
        pytest.fail(reason + "; CI must run the replica tests")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def _bindir(major: int) -> Path | None:
    debian = Path(f"/usr/lib/postgresql/{major}/bin")
    if (debian / "initdb").exists():
        return debian
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _server_settings(folder: Path, port: int) -> dict[str, str]:
    return {
        "listen_addresses": f"'{LOOPBACK}'",
        "port": str(port),
        "unix_socket_directories": f"'{folder}'",
        "fsync": "off",
        "shared_buffers": "32MB",
    }


def pair_start(settings_dict: dict[str, Any]) -> Pair:
    """A primary holding a copy of the database behind `settings_dict`, and its streaming standby, both ready.
    Calls `unavailable` when this machine cannot run them."""
    source = Server(
        host=settings_dict.get("HOST") or LOOPBACK,
        port=int(settings_dict.get("PORT") or 5432),
        user=settings_dict.get("USER") or "postgres",
        dbname=settings_dict["NAME"],
    )
    major = int(source.one("SHOW server_version_num")) // 10000
    collate = source.one("SELECT datcollate FROM pg_database WHERE datname = current_database()")
    ctype = source.one("SELECT datctype FROM pg_database WHERE datname = current_database()")
    bindir = _bindir(major)
    if bindir is None:
        unavailable(f"no PostgreSQL {major} server binaries (initdb, pg_ctl, pg_basebackup) on this machine")
    assert bindir is not None

    as_owner: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="cakupan-replica-"))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder)
            unavailable("we are root and there is no postgres OS user to run PostgreSQL as")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_owner = ["runuser", "-u", "postgres", "--"]
    primary = Server(host=LOOPBACK, port=_free_port(), user=source.user, dbname=source.dbname)
    replica = Server(host=LOOPBACK, port=_free_port(), user=source.user, dbname=source.dbname)
    pair = Pair(primary=primary, replica=replica, folder=folder, bindir=bindir, as_owner=as_owner)
    try:
        pair.run(
            str(bindir / "initdb"),
            *("-D", str(folder / "primary"), "-U", source.user, "-A", "trust", "-E", "UTF8"),
            *(f"--lc-collate={collate}", f"--lc-ctype={ctype}", "--no-sync"),
        )
        hba = [
            "local all all trust",
            f"host all all {LOOPBACK}/32 trust",
            f"host replication all {LOOPBACK}/32 trust",
        ]
        (folder / "primary" / "pg_hba.conf").write_text("\n".join(hba) + "\n")
        pair.start(folder / "primary", {**_server_settings(folder, primary.port), "wal_level": "replica"})

        dump = folder / "source.dump"
        pair.run(
            str(bindir / "pg_dump"),
            *("-h", source.host, "-p", str(source.port), "-U", source.user, "-d", source.dbname),
            *("-Fc", "-f", str(dump)),
        )
        pair.run(
            str(bindir / "createdb"),
            "-h",
            LOOPBACK,
            "-p",
            str(primary.port),
            "-U",
            source.user,
            source.dbname,
        )
        pair.run(
            str(bindir / "pg_restore"),
            *("-h", LOOPBACK, "-p", str(primary.port), "-U", source.user, "-d", source.dbname),
            *("--no-owner", "--exit-on-error", str(dump)),
        )

        pair.run(
            str(bindir / "pg_basebackup"),
            *("-h", LOOPBACK, "-p", str(primary.port), "-U", source.user, "-D", str(folder / "replica")),
            *("-R", "-X", "stream", "-c", "fast", "--no-sync"),
        )
        # No query on the standby holds back the primary's vacuum, and none is cancelled by replay.
        pair.start(
            folder / "replica", {**_server_settings(folder, replica.port), "hot_standby_feedback": "on"}
        )
        deadline = time.monotonic() + 30
        while not _in_recovery(replica):
            if time.monotonic() > deadline:
                raise RuntimeError("the standby did not open for reads in recovery within 30 s")
            time.sleep(0.1)
    except BaseException:
        pair.stop()
        raise
    return pair


def _in_recovery(server: Server) -> bool:
    try:
        return bool(server.one("SELECT pg_is_in_recovery()"))
    except psycopg.OperationalError:
        return False
