"""`cakupan compliance import PATH [--workers PATH] [--json]`, `cakupan compliance match PATH [--workers PATH]
[--json]` (import, then match) and `cakupan compliance remind [--date YYYY-MM-DD] [--json]`.

Bad input prints {"errors": [{"field", "message"}]} and exits with code 2; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.compliance.services import compliance_match_run, compliance_remind, report_import
from cakupan.core.commands import bad_input_exits, command_actor
from cakupan.core.errors import InvalidInput


class Command(BaseCommand):
    help = "Workforce reports (WLKP) against the registry: import, match, remind of passed deadlines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "match", "remind"])
        parser.add_argument("path", nargs="?", default="")
        parser.add_argument(
            "--workers", default="", help="the worker list file (NIB or NPP, NIK, name, wage)"
        )
        parser.add_argument("--date", default="", help="remind: the day to check deadlines against")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--user", default="", help="act as this user (default: the first national admin)")

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            try:
                out = self._run(options)
            except OSError as exc:
                raise InvalidInput.single("path", str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            self.stdout.write("\n".join(f"{k}: {v}" for k, v in out.items()))

    def _run(self, options: dict[str, Any]) -> dict[str, Any]:
        if options["action"] == "remind":
            try:
                day = dt.date.fromisoformat(options["date"]) if options["date"] else None
            except ValueError:
                raise InvalidInput.single("date", "A day written YYYY-MM-DD.") from None
            reminders = compliance_remind(today=day)
            return {
                "reminders": len(reminders),
                "steps": [
                    {"case": r.step.case_id, "step": r.step.kind, "deadline": str(r.step.deadline)}
                    for r in reminders
                ],
            }
        if not options["path"]:
            raise InvalidInput.single("path", "The report file is required.")
        actor = command_actor(options["user"])
        report = report_import(actor=actor, source=options["path"], workers=options["workers"] or None)
        out: dict[str, Any] = {"report": report.pk, "employers": report.employers, "workers": report.workers}
        if options["action"] == "match":
            run = compliance_match_run(actor=actor, report=report)
            out.update(run=run.pk, counts=run.counts, total_gap=run.total_gap)
        return out
