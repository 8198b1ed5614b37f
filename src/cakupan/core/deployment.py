"""Deployment: the secret key a deployment must set (enforced where the server starts and in
`check --deploy`), and how `cakupan serve` sizes and supervises gunicorn.

Without CAKUPAN_SECRET_KEY the settings fall back to the public demo key so that a fresh clone can migrate,
load the demo and run its tests with nothing configured. Anyone who knows that key can forge sessions,
so outside demo mode (DEBUG or CAKUPAN_DEMO=1) the server refuses to start with it: wsgi.py (gunicorn,
any WSGI host) and `cakupan serve` call `secret_key_require()` before serving a request.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

DEMO_KEY_MESSAGE = (
    "CAKUPAN_SECRET_KEY is not set: the public demo key is only used in demo mode (CAKUPAN_DEMO=1 or "
    "CAKUPAN_DEBUG=1). Set CAKUPAN_SECRET_KEY to a long random value, e.g. the output of "
    '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
)


def demo_key_in_use() -> bool:
    """The public demo key signs sessions outside demo mode."""
    return bool(settings.SECRET_KEY == settings.DEMO_SECRET_KEY and not settings.DEMO_MODE)


def secret_key_require() -> None:
    if demo_key_in_use():
        raise ImproperlyConfigured(DEMO_KEY_MESSAGE)


def _demo_key_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if demo_key_in_use():
        return [checks.Error(DEMO_KEY_MESSAGE, id="cakupan.E001")]
    return []


def register_checks() -> None:
    checks.register(_demo_key_check, checks.Tags.security, deploy=True)


# --- Serving: how many gunicorn workers and threads, and a wrapper that stops what it started ---

# gunicorn's own advice is 2 x cores + 1 workers; above a dozen the database's connections (one per thread)
# run out before the processor does, so add machines instead.
MAX_WORKERS = 12
# Threads per worker: a page spends much of its time waiting for the database, and threads share a
# worker's memory (some 150 MB each for Django with polars and WeasyPrint loaded).
DEFAULT_THREADS = 4
# gunicorn kills a worker whose main loop is silent this long (a gthread worker's requests run in its threads:
# a slow request is bounded by CAKUPAN_WEB_STATEMENT_TIMEOUT_MS instead, core.statement_timeout).
WORKER_TIMEOUT_SECONDS = 60
# On SIGTERM gunicorn lets running requests finish for this long.
GRACEFUL_SECONDS = 20


@dataclass(frozen=True)
class ServeSizing:
    workers: int
    threads: int


def cores_available() -> int:
    """The processors this process may run on (its affinity: a container's cpuset, taskset), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def serve_sizing(*, cores: int, workers: int | None = None, threads: int | None = None) -> ServeSizing:
    """gthread workers for `cakupan serve`: 2 x cores + 1 (at most MAX_WORKERS), DEFAULT_THREADS each;
    `workers` and `threads` (flags or CAKUPAN_WEB_WORKERS / CAKUPAN_WEB_THREADS) override either."""
    return ServeSizing(
        workers=workers or min(2 * cores + 1, MAX_WORKERS),
        threads=threads or DEFAULT_THREADS,
    )


class ProcessGroup:
    """Child processes (gunicorn, and whatever must run beside it) that live and die together.

    SIGTERM, SIGINT and SIGHUP sent to the wrapper are passed on to every child (gunicorn stops gracefully
    on SIGTERM, at once on SIGINT; SIGHUP goes to the first child only, gunicorn, which reloads); when one
    child ends, the others are asked to stop; the wrapper returns when all have ended, with the exit status
    of the first child (the web server) when stopped by a signal, else of the child that ended first. On
    Linux a child also gets SIGTERM if the wrapper dies without a chance to forward (SIGKILL, the OOM
    killer): nothing keeps the port after the wrapper is gone.
    """

    FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def __init__(self) -> None:
        self.children: list[subprocess.Popen[bytes]] = []
        self.stopped_from_outside = False

    def start(self, command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        child = subprocess.Popen(command, env=env, preexec_fn=_die_with_parent)  # noqa: S603
        self.children.append(child)
        return child

    def signal_all(self, signum: int) -> None:
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signum)

    def _forward(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGHUP:  # gunicorn's reload; it would end a job worker
            if self.children and self.children[0].poll() is None:
                self.children[0].send_signal(signum)
            return
        self.stopped_from_outside = True
        self.signal_all(signum)

    def wait(self) -> int:
        previous = {s: signal.signal(s, self._forward) for s in self.FORWARDED}
        try:
            first: int | None = None
            while any(child.poll() is None for child in self.children):
                for child in self.children:
                    if child.poll() is not None and first is None:
                        first = child.returncode
                        # One stopped: the service is down, stop the rest; unless all were asked already (a
                        # second SIGTERM can kill gunicorn mid-shutdown, when its handlers are gone).
                        if not self.stopped_from_outside:
                            self.signal_all(signal.SIGTERM)
                time.sleep(0.2)
            # Asked to stop: the service's answer is the first child's (the web server's); a helper beside it
            # (a job worker still starting) may die of the same signal. Otherwise: whoever ended first.
            if first is None or self.stopped_from_outside:
                first = self.children[0].returncode if self.children else 0
            return first
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the parent dies (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
