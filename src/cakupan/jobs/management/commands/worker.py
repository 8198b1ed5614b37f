"""`cakupan worker`: take jobs from the queue and run them (django-tasks' database worker, with this
project's housekeeping beside it: dead jobs, the schedule; see jobs/worker.py). `--batch` runs what is
queued and ready, then exits (tests, one-off use; it reaps dead jobs first, and enqueues no schedule
entries). Started before `cakupan migrate`, a worker waits for the migrated database.
`--no-schedule`: a worker that leaves the schedule to others. SIGTERM or Ctrl+C: django-tasks ends
the current task at once (its child dies with it); the job left "running" is reaped by the next worker,
requeued when its kind retries, failed otherwise (jobs/services.job_reap_dead)."""

from __future__ import annotations

import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from cakupan.jobs.worker import database_ready_wait, housekeeping_round, housekeeping_start


class Command(BaseCommand):
    help = "Run background jobs from the queue (and the schedule); `--batch`: the ready ones, then exit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run the ready jobs, then exit")
        parser.add_argument("--no-schedule", action="store_true", help="enqueue no schedule entries")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks at the queue")

    def handle(self, *args: Any, **options: Any) -> None:
        arguments = ["--interval", str(options["interval"]), "--no-reload", "--no-startup-delay"]
        arguments += ["--verbosity", str(options["verbosity"])]
        if options["batch"]:
            housekeeping_round(schedule=False)
            call_command("db_worker", "--batch", *arguments)
            return
        stop = threading.Event()
        if not database_ready_wait(stop):
            return
        housekeeping_start(stop, schedule=not options["no_schedule"])
        try:
            call_command("db_worker", *arguments)
        finally:
            stop.set()
