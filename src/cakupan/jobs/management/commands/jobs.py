"""`cakupan jobs run <id>`: execute a queued background job in this process (what `job_start` launches)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.core.errors import InvalidInput
from cakupan.jobs.services import job_run


class Command(BaseCommand):
    help = "Background jobs: `jobs run <id>`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])
        parser.add_argument("job_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            job = job_run(job_id=options["job_id"])
        except InvalidInput as exc:
            self.stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False))
            sys.exit(2)
        except Exception as exc:  # no such job
            self.stdout.write(json.dumps({"errors": [{"field": "job", "message": str(exc)}]}))
            sys.exit(2)
        self.stdout.write(json.dumps({"job": job.pk, "status": job.status, "result": job.result}))
        if job.status != job.Status.DONE:
            sys.exit(1)
