"""Job kinds for the queue tests, registered in worker processes through CAKUPAN_JOB_MODULES."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from cakupan.jobs.models import Job
from cakupan.jobs.services import job_kind_register


def sleeper(*, job: Job, parameters: dict[str, Any], actor: Any) -> dict[str, float]:
    """Heavy: holds a slot for `seconds`; returns when it ran, for the overlap check."""
    start = time.time()
    time.sleep(float(parameters["seconds"]))
    return {"start": start, "end": time.time()}


def flaky(*, job: Job, parameters: dict[str, Any], actor: Any) -> dict[str, int]:
    """Fails until its attempt number reaches `succeed_on`."""
    attempts = Job.objects.get(pk=job.pk).attempts
    if attempts < int(parameters["succeed_on"]):
        raise RuntimeError(f"attempt {attempts} fails")
    return {"attempts": attempts}


def hang(*, job: Job, parameters: dict[str, Any], actor: Any) -> None:
    """Writes its pid to `flag`, then waits to be killed."""
    Path(parameters["flag"]).write_text(str(os.getpid()))
    time.sleep(600)


job_kind_register("test_sleep", sleeper, heavy=True)
job_kind_register("test_flaky", flaky, retries=2)
job_kind_register("test_hang", hang, retries=0)
