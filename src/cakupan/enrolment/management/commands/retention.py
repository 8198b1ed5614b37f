"""`cakupan retention purge`: delete roster reports and stored uploads older than CAKUPAN_RETENTION_DAYS
(default 90) and the leftovers of killed imports, recorded as a "retention_purge" job. For cron, daily:
`30 2 * * * cd /srv/cakupan && .venv/bin/cakupan retention purge`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.core.commands import bad_input_exits
from cakupan.enrolment.services.retention import JOB_KIND
from cakupan.jobs.models import Job
from cakupan.jobs.services import job_create, job_run


class Command(BaseCommand):
    help = (
        "Delete roster reports and stored uploads older than CAKUPAN_RETENTION_DAYS (default 90); "
        f"recorded as a '{JOB_KIND}' job. For cron: `30 2 * * * cd /srv/cakupan && .venv/bin/cakupan "
        "retention purge`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["purge"])

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            # A recorded job run in this process, so scheduled runs show in the jobs table with their result.
            job = job_run(job_id=job_create(kind=JOB_KIND, parameters={}).pk)
        if job.status != Job.Status.DONE:
            self.stderr.write(job.error)
            raise SystemExit(1)
        self.stdout.write(json.dumps({"job": job.pk, **(job.result or {})}))
