"""`cakupan payments import PATH [--json]`: record a bank statement (CSV); `cakupan payments allocate`: let
every account's credit settle its unpaid bills (run it after a billing run).

A bad file: exit code 2 and {"errors": [...]} on stdout, nothing written. Otherwise exit 0 with the import
report (rejected lines with their reasons); the report is JSON with --json, a short text otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.accounts.permissions import SYSTEM
from cakupan.contributions.services.payments import allocate_credit_all
from cakupan.contributions.services.statement_import import statement_import
from cakupan.core.commands import bad_input_exits, command_actor_or_none, user_option
from cakupan.core.errors import InvalidInput


class Command(BaseCommand):
    help = "Payments: `payments import PATH [--json]` (bank statement CSV), `payments allocate`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "allocate"])
        parser.add_argument("path", nargs="?", help="The bank statement (CSV) to import.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        user_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            actor = command_actor_or_none(options["user"]) or SYSTEM
            if options["action"] == "allocate":
                self.stdout.write(json.dumps(allocate_credit_all(actor=actor)))
                return
            if not options["path"]:
                raise InvalidInput.single("path", "Name the CSV file to import.")
            try:
                content = Path(options["path"]).read_bytes()
            except OSError as exc:
                raise InvalidInput.single("path", f"Cannot read the file: {exc.strerror}.") from exc
            report = statement_import(actor=actor, content=content)
        data = report.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{data['lines']} lines: {data['recorded']} recorded (Rp {data['amount_recorded']:,}), "
            f"{data['duplicates']} already recorded, {data['rejected_count']} rejected"
        )
        for row in data["rejected"]:
            self.stdout.write(f"  line {row['line']}: {row['reason']}")
