"""`cakupan outreach ACTION ...` (issue 16):

- `events [--region CODE] --json`: [{"code", "name", "region", "date", "audience"}], newest first;
- `funnel CODE --json`: {"event", "signups", "valid_nik", "members", "paid_first", "active_3m"};
- `convert CODE [--payer self|sponsor] [--sponsor ID] [--start YYYY-MM-DD] [--user NAME]`: the event's
  valid sign-ups turned into BPU memberships, with the result's counts.

Reads see every event (the operator's scope) unless `--user` names a user; bad input prints
{"errors": [{"field", "message"}]} and exits with code 2; nothing is written.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.accounts.scope import EVERYTHING, scope_for
from cakupan.core.commands import bad_input_exits, command_actor, user_option
from cakupan.core.errors import InvalidInput
from cakupan.core.filtering import filter_or_refuse
from cakupan.outreach import funnel, selectors
from cakupan.outreach.filters import EventFilter
from cakupan.outreach.services.convert import signups_convert


class Command(BaseCommand):
    help = "Outreach events: list them, an event's funnel, turn its sign-ups into memberships."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["events", "funnel", "convert"])
        parser.add_argument("code", nargs="?", default="", help="the event's code (funnel, convert)")
        parser.add_argument("--region", default="", help="events in this region or below it")
        parser.add_argument("--payer", default="self", choices=["self", "sponsor"])
        parser.add_argument("--sponsor", default=None)
        parser.add_argument("--start", default=None, help="first day of the membership's first month")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        user_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            out = self._run(options)
        if options["json"] or isinstance(out, list):
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=None if options["json"] else 1))
        else:
            self.stdout.write("\n".join(f"{k}: {v}" for k, v in out.items()))

    def _run(self, o: dict[str, Any]) -> Any:
        user = command_actor(o["user"]) if o["user"] else None
        scope = scope_for(user) if user is not None else EVERYTHING
        if o["action"] == "events":
            rows = filter_or_refuse(
                EventFilter,
                {"region": o["region"]},
                selectors.event_list(user=user, scope=scope),
                request=None,
            )
            return [
                {
                    "code": e.code,
                    "name": e.name,
                    "region": e.region_id,
                    "date": e.date.isoformat(),
                    "audience": e.audience,
                }
                for e in rows.order_by("-date", "id")
            ]
        if not o["code"]:
            raise InvalidInput.single("code", "Name the event's code.")
        event = selectors.event_get(user=user, code=o["code"], scope=scope)
        if o["action"] == "funnel":
            return {"event": event.code, **funnel.event_funnel(event=event).as_dict()}
        actor = user if user is not None else command_actor("")
        result = signups_convert(
            actor=actor, event=event, payer=o["payer"], sponsor=o["sponsor"], start_date=o["start"]
        )
        return {"event": event.code, **result.as_dict()}
