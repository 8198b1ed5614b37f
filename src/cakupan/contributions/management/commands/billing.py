"""`cakupan billing run --period 2025-04`: bill every payer for a month, with a progress line on stderr.

Exit code 2 and {"errors": [...]} on stdout for a bad period; the run's summary as JSON otherwise.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.contributions.services.billing import billing_run
from cakupan.core.commands import bad_input_exits, command_actor, user_option


class Command(BaseCommand):
    help = "Monthly billing: `billing run --period YYYY-MM`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])
        parser.add_argument("--period", required=True, help="Contribution month, YYYY-MM.")
        user_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
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
