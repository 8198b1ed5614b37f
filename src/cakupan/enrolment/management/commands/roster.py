"""`cakupan roster import PATH --as employer:NPP|sponsor:ID|agency:ID [--segment PU|BPU] [--dry-run]
[--json]`.

Bad arguments print {"errors": [{"field", "message"}]} and exit with code 2, like every other door.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.core.commands import bad_input_exits, command_actor
from cakupan.enrolment.services import parse_as, report_path, roster_import


class Command(BaseCommand):
    help = "Bulk enrolment from a roster file (.xlsx, .xls, .ods, .csv), with a row-level report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import"])
        parser.add_argument("path")
        parser.add_argument("--as", dest="as_", default="", help="employer:NPP, sponsor:ID or agency:ID")
        parser.add_argument("--segment", default=None, help="PU or BPU (default: by target)")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")
        parser.add_argument(
            "--user",
            default="",
            help="act as this user (their role's scope applies); default: the first national admin",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            as_ = parse_as(options["as_"])  # before any database access: bad arguments exit 2 anywhere
            actor = command_actor(options["user"])
            record = roster_import(
                actor=actor,
                path_or_file=options["path"],
                as_=as_,
                segment=options["segment"],
                dry_run=options["dry_run"],
                progress=self._progress,
            )
        report = str(report_path(record, "xlsx"))
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {**record.counts(), "held": record.held, "warnings": record.warnings, "report": report}
                )
            )
            return
        self.stdout.write(
            f"{record.file_name}: {record.rows} rows, {record.imported} imported, {record.updated} updated, "
            f"{record.unchanged} unchanged, {record.rejected} rejected, {record.warnings} with warnings, "
            f"{record.held} held for branch review"
            f"{' (dry run)' if record.dry_run else ''}\nreport: {report}"
        )

    def _progress(self, stage: str, done: int, total: int) -> None:
        # On stderr: stdout stays the result (and valid JSON with --json).
        self.stderr.write(f"{stage}: {done}/{total} rows")
