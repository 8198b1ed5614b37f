"""`cakupan jobs run <id>`: execute a queued background job in this process; `cakupan jobs supervise <id>`
(what `job_start` launches): run it in a child held to the job limits, and record a child's death."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.core.commands import bad_input_exits
from cakupan.core.errors import InvalidInput
from cakupan.jobs.services import job_run, job_supervise


class Command(BaseCommand):
    help = "Background jobs: `jobs run <id>` (in this process), `jobs supervise <id>` (in a limited child)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run", "supervise"])
        parser.add_argument("job_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            try:
                if options["action"] == "supervise":
                    job = job_supervise(job_id=options["job_id"])
                else:
                    job = job_run(job_id=options["job_id"])
            except InvalidInput:
                raise
            except Exception as exc:  # no such job
                raise InvalidInput.single("job", str(exc)) from exc
        self.stdout.write(json.dumps({"job": job.pk, "status": job.status, "result": job.result}))
        if job.status != job.Status.DONE:
            sys.exit(1)
