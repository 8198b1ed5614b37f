"""`cakupan serve`: gunicorn sized to the machine, and stopped with the wrapper. A real server on a free port
is started as a deployment would start it, then the wrapper alone gets SIGTERM or SIGINT (as systemd, a
container runtime or Ctrl+C in a terminal that is not the group's would send): the port must be free and no
gunicorn process left when the wrapper has exited."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from cakupan.core.deployment import MAX_WORKERS, ProcessGroup, serve_sizing

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    ("cores", "workers", "threads", "expected"),
    [
        (1, None, None, (3, 4)),
        (2, None, None, (5, 4)),
        (64, None, None, (MAX_WORKERS, 4)),
        (2, 1, 8, (1, 8)),
    ],
)
def test_workers_and_threads_follow_the_machine_unless_told(
    cores: int, workers: int | None, threads: int | None, expected: tuple[int, int]
) -> None:
    sizing = serve_sizing(cores=cores, workers=workers, threads=threads)
    assert (sizing.workers, sizing.threads) == expected


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (from /proc), recursively."""
    children: dict[int, set[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, set()).add(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), set()):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc (Linux)")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_wrapper_stops_gunicorn_and_frees_the_port(tmp_path: Path, signum: int) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CAKUPAN_")},
        "CAKUPAN_DEMO": "1",
        "CAKUPAN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
    }
    wrapper = subprocess.Popen(  # noqa: S603 - our own console script
        [str(BIN / "cakupan"), "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # as under systemd: the signal reaches the wrapper only, not its group
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert wrapper.poll() is None, wrapper.communicate()[0].decode()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within two minutes"
                time.sleep(0.5)
        gunicorn = descendants(wrapper.pid)
        assert len(gunicorn) >= 3  # the master and two workers

        os.kill(wrapper.pid, signum)
        output = wrapper.communicate(timeout=60)[0].decode()
        assert wrapper.returncode == 0, output
        assert not port_in_use(port)
        assert not [pid for pid in gunicorn if alive(pid)]
    finally:
        if wrapper.poll() is None:
            os.killpg(wrapper.pid, signal.SIGKILL)
            wrapper.wait()


def test_when_one_child_ends_the_group_stops_the_others() -> None:
    group = ProcessGroup()
    quick = group.start([sys.executable, "-c", "raise SystemExit(3)"])
    slow = group.start([sys.executable, "-c", "import time; time.sleep(60)"])
    started = time.monotonic()
    assert group.wait() == 3
    assert time.monotonic() - started < 30
    assert quick.returncode == 3
    assert slow.returncode == -signal.SIGTERM
