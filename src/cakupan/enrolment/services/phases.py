"""Wall-clock time per phase of an import (read, validate, stage, merge statements, report, audit, commit).

The benchmark passes a dict and prints it; everyone else passes nothing and pays nothing but a clock read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

Phases = dict[str, float]


@contextmanager
def phase(phases: Phases | None, name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        if phases is not None:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - started
