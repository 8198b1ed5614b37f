"""`cakupan jobs run <id>`: execute a background job in this process: a queued one, or the one this
process's parent (a worker, jobs/worker.py) has claimed for it. Workers run `cakupan worker`."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.core.commands import bad_input_exits
from cakupan.core.errors import InvalidInput
from cakupan.jobs.services import job_run


class Command(BaseCommand):
    help = "Background jobs: `jobs run <id>` runs one in this process (a worker runs them from the queue)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])
        parser.add_argument("job_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            try:
                job = job_run(job_id=options["job_id"])
            except InvalidInput:
                raise
            except Exception as exc:  # no such job
                raise InvalidInput.single("job", str(exc)) from exc
        self.stdout.write(json.dumps({"job": job.pk, "status": job.status, "result": job.result}))
        if job.status != job.Status.DONE:
            sys.exit(1)
