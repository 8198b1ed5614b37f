"""gunicorn's configuration hooks for `cakupan serve` (`--config python:cakupan.core.gunicorn_conf`).

With PROMETHEUS_MULTIPROC_DIR set every worker writes its metrics to files there (core.metrics); a worker
that exits must be marked dead, or its live gauges would be summed for ever.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import multiprocess


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
