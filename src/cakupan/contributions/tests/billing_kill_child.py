"""The child of test_billing_kill.py: a real billing run that sends itself SIGKILL at a chosen point.

`python billing_kill_child.py POINT PERIOD CHUNK_SIZE`, with DATABASE_URL naming the test database. POINT:
accounts (after the first chunk's payer accounts), between (after the first chunk committed), mid_chunk
(after the second chunk's lines were inserted), final (inside the last transaction), pause (print "paused"
after the first chunk and wait for a line on stdin: a live run).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _kill_after(func: Callable[..., Any], on_call: int) -> Callable[..., Any]:
    calls = [0]

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        out = func(*args, **kwargs)
        calls[0] += 1
        if calls[0] == on_call:
            _die()
        return out

    return wrapped


def main(point: str, period: str, chunk_size: int) -> None:
    import django

    django.setup()
    from cakupan.contributions.services import billing, billing_sql

    # Patched here, in the child only: the run itself is the production code.
    if point == "accounts":
        billing.accounts_ensure = _kill_after(billing.accounts_ensure, 1)
    elif point == "mid_chunk":
        billing_sql.chunk_lines_insert = _kill_after(billing_sql.chunk_lines_insert, 2)
    elif point == "final":
        billing_sql.bills_without_lines_delete = _kill_after(billing_sql.bills_without_lines_delete, 1)

    def progress(done: int, total: int) -> None:
        if point == "between":
            _die()
        if point == "pause":
            print("paused", flush=True)
            sys.stdin.readline()

    billing.billing_run(period=period, chunk_size=chunk_size, progress=progress)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakupan.settings")
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
