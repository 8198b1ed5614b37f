"""`cakupan billing run --period 2025-04`: bill every payer for a month, with a progress line on stderr.
`cakupan billing detach --period 2024-01` (PostgreSQL): detach an old month's bill lines into a table of their
own, to archive (`pg_dump -t <table>`) and drop (services/billing_partitions.py).

Exit code 2 and {"errors": [...]} on stdout for a bad period; the run's summary as JSON otherwise.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.contributions.services.billing import billing_run
from cakupan.contributions.services.billing_partitions import bill_lines_detach
from cakupan.core.commands import bad_input_exits, command_actor, user_option


class Command(BaseCommand):
    help = "Monthly billing: `billing run --period YYYY-MM`; `billing detach --period YYYY-MM` (old months)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run", "detach"])
        parser.add_argument("--period", required=True, help="Contribution month, YYYY-MM.")
        user_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "detach":
            with bad_input_exits(self.stdout):
                detached = bill_lines_detach(actor=command_actor(options["user"]), period=options["period"])
            self.stdout.write(json.dumps(detached, indent=2))
            return
        began = time.monotonic()
        err = self.stderr

        def progress(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - began, 1e-6)
            err.write(f"\rbilling {done:,}/{total:,} members ({rate:,.0f}/s)", ending="")
            err.flush()

        with bad_input_exits(self.stdout):
            actor = command_actor(options["user"])
            run = billing_run(period=options["period"], actor=actor, progress=progress)
        err.write("")
        summary = {
            "run": run.pk,
            "period": run.period,
            "status": run.status,
            "duration_seconds": run.duration_seconds,
            "counts": {k: v for k, v in run.counts.items() if k != "skipped_examples"},
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
