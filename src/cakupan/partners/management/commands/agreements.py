"""`cakupan agreements ACTION ...` (issue 16):

- `list [--region CODE] --json`: [{"number", "parties", "region", "status", "valid_from", "valid_to"}];
- `kpis NUMBER [--period YYYY-MM] --json`: {"agreement", "period", "kpis": [{"key", "label", "value",
  "target", "unit", "status"}]} (a rate's value in percent with one decimal, 79.3);
- `compute --period YYYY-MM`: the month's KPI values of every agreement in force (the monthly schedule);
- `daily [--date YYYY-MM-DD]`: status changes by the calendar and the 90/30-day expiry alerts (daily).

Reads see everything unless `--user NAME` (then that user's scope). Bad input prints
{"errors": [{"field", "message"}]} and exits with code 2; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.accounts.permissions import SYSTEM
from cakupan.accounts.scope import EVERYTHING
from cakupan.core.commands import bad_input_exits, command_actor, user_option
from cakupan.core.errors import InvalidInput

ACTIONS = ["list", "kpis", "compute", "daily"]


def _day(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput.single("date", "Enter a date as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Cooperation agreements (PKS): list, KPI values, the monthly KPI run and the daily alerts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("number", nargs="?", default="", help="the agreement's number (kpis)")
        parser.add_argument("--region", default="")
        parser.add_argument("--period", default="")
        parser.add_argument("--date", default="")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        user_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            out = self._run(options)
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))

    def _run(self, o: dict[str, Any]) -> Any:
        from cakupan.partners import selectors
        from cakupan.partners.kpis.compute import agreement_kpis_compute
        from cakupan.partners.services.alerts import agreements_daily

        action = o["action"]
        if action == "daily":
            return agreements_daily(actor=SYSTEM, today=_day(o["date"]))
        if action == "compute":
            if not o["period"]:
                raise InvalidInput.single("period", "Enter a month as YYYY-MM.")
            return agreement_kpis_compute(actor=SYSTEM, period=o["period"])
        who: Any = command_actor(o["user"]) if o["user"] else EVERYTHING
        reader = {"user": who} if o["user"] else {"scope": who}
        if action == "list":
            rows = selectors.agreement_list(region=o["region"] or None, **reader)
            return [selectors.agreement_row(a) for a in rows.order_by("number")]
        if not o["number"]:
            raise InvalidInput.single("number", "The agreement's number is required.")
        return selectors.agreement_kpis(number=o["number"], period=o["period"] or None, **reader)
