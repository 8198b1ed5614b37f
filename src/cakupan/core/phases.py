"""Wall-clock time per phase of a long batch (an import's read, validate, merge; a match's joins).

A caller that wants the figures passes a dict (the benchmarks print it) and/or a logger (seconds at
DEBUG); everyone else passes nothing and pays nothing but a clock read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

Phases = dict[str, float]


@contextmanager
def phase(phases: Phases | None, name: str, *, log: logging.Logger | None = None) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds = time.perf_counter() - started
        if phases is not None:
            phases[name] = phases.get(name, 0.0) + seconds
        if log is not None:
            log.debug("phase %s %.3f", name, seconds)
