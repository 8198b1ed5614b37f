"""`cakupan sponsors ACTION ...` (issue 15):

- `runway SPONSOR_ID [--period YYYY-MM] --json`: {"sponsor", "period", "members", "monthly_bill", "budget",
  "committed", "paid", "remaining", "months_left", "cover_ends"};
- `match-list FILE --sponsor SPONSOR_ID --json`: {"rows", "this_sponsor", "other_sponsor", "wage_earner",
  "self_paid", "not_covered", "invalid", "report"} (report: the stored list's id);
- `enrol-list LIST_ID [--start-month YYYY-MM]`: the list's valid uncovered rows as the next roster;
- `fund SPONSOR_ID --source S --document D --amount N --first YYYY-MM --last YYYY-MM --income N --cap N
  [--jht]` and `amend PERIOD_ID --reason R [--amount N] [--last YYYY-MM] [--cap N] ...`: funded periods;
- `check --period YYYY-MM`: the sponsors' bills of a month against their funding, before the billing run;
- `alerts [--date YYYY-MM-DD]`: the runway alerts due (the daily schedule);
- `overlaps --period YYYY-MM`: persons billed to two payers in one month;
- `villages REGENCY`, `letters REGENCY`: village sponsors' arrears and the letters to those past 3 months;
- `end-cover SPONSOR_ID --month YYYY-MM --decision renew|move|convert|end [--members ID,ID]
  [--to-sponsor ID]`: what happens to the members whose sponsored cover ends with that month (all of
  them, or the memberships given);
- `answer-move SPONSOR_ID --from-sponsor ID --month YYYY-MM --answer accept|decline`: the receiving sponsor;
- `follow-up [--date YYYY-MM-DD]`: decisions whose month is over take effect, and the 3/6/12-month
  retention follow-ups due are recorded (the daily schedule, with `alerts`).

Bad input prints {"errors": [{"field", "message"}]} and exits with code 2; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.accounts.permissions import SYSTEM
from cakupan.core.commands import bad_input_exits, command_actor, user_option
from cakupan.core.errors import InvalidInput

ACTIONS = [
    "runway",
    "match-list",
    "enrol-list",
    "fund",
    "amend",
    "check",
    "alerts",
    "overlaps",
    "villages",
    "letters",
    "end-cover",
    "answer-move",
    "follow-up",
]


class Command(BaseCommand):
    help = "Sponsored coverage: funded periods, runway, target lists, alerts, overlaps, village funds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("target", nargs="?", default="", help="sponsor id, file, list id, period id")
        parser.add_argument("--sponsor", default="")
        parser.add_argument("--period", default="")
        parser.add_argument("--date", default="")
        parser.add_argument("--start-month", default="")
        for name in ("source", "document", "amount", "first", "last", "income", "cap", "reason"):
            parser.add_argument(f"--{name}", default=None)
        for name in ("month", "decision", "members", "to-sponsor", "from-sponsor", "answer"):
            parser.add_argument(f"--{name}", default=None)
        parser.add_argument("--jht", action="store_true")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        user_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            out = self._run(options)
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        elif isinstance(out, dict):
            self.stdout.write("\n".join(f"{k}: {v}" for k, v in out.items()))
        else:
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))

    def _run(self, o: dict[str, Any]) -> Any:
        from cakupan.sponsorship import selectors
        from cakupan.sponsorship.selectors_villages import village_arrears
        from cakupan.sponsorship.services import bill_check, funding, target_lists
        from cakupan.sponsorship.services.alerts import alerts_raise
        from cakupan.sponsorship.services.villages import letters_issue

        action = o["action"]
        if action == "alerts":
            day = _day(o["date"])
            return {
                "alerts": [
                    {
                        "sponsor": r.sponsor.pk,
                        "days": r.alert.threshold_days,
                        "ends": r.alert.ends,
                        "ends_on": r.alert.ends_on.isoformat(),
                        "emailed": len(r.alert.emailed_to),
                    }
                    for r in alerts_raise(actor=SYSTEM, today=day)
                ]
            }
        if action == "check":
            flags = bill_check.bill_check(period=o["period"])
            return {
                "period": o["period"],
                "flags": [
                    {
                        "sponsor": f.sponsor_id,
                        "reason": f.reason,
                        "members": f.members,
                        "amount": f.amount,
                        "available": f.available,
                    }
                    for f in flags
                ],
            }
        if action == "follow-up":
            from cakupan.sponsorship.services.endings import cover_endings_apply
            from cakupan.sponsorship.services.endings_follow import retention_follow

            day = _day(o["date"])
            return {
                **cover_endings_apply(actor=SYSTEM, today=day),
                **retention_follow(actor=SYSTEM, today=day),
            }
        actor = command_actor(o["user"])
        if action in ("end-cover", "answer-move"):
            return _endings(action, o, actor)
        if action == "runway":
            return selectors.runway(
                user=actor, sponsor_id=_id(o["target"], "sponsor"), period=o["period"] or None
            ).as_dict()
        if action == "match-list":
            if not o["target"]:
                raise InvalidInput.single("file", "The list file is required.")
            target = target_lists.target_list_match(
                actor=actor, sponsor=_id(o["sponsor"], "sponsor"), source=o["target"]
            )
            return selectors.match_result(target)
        if action == "enrol-list":
            return target_lists.target_list_enrol(
                actor=actor, target_list=_id(o["target"], "target_list"), start_month=o["start_month"] or None
            )
        if action == "fund":
            fp = funding.funded_period_create(
                actor=actor,
                sponsor=_id(o["target"], "sponsor"),
                source=o["source"] or "",
                document=o["document"] or "",
                amount=o["amount"],
                first_month=o["first"] or "",
                last_month=o["last"] or "",
                declared_income=o["income"],
                member_cap=o["cap"],
                jht=o["jht"],
            )
            return {"funded_period": fp.pk, "sponsor": fp.sponsor_id}
        if action == "amend":
            names = {
                "amount": "amount",
                "last": "last_month",
                "first": "first_month",
                "cap": "member_cap",
                "income": "declared_income",
                "document": "document",
                "source": "source",
            }
            changes = {field: o[opt] for opt, field in names.items() if o[opt] is not None}
            fp = funding.funded_period_amend(
                actor=actor,
                funded_period=_id(o["target"], "funded_period"),
                reason=o["reason"] or "",
                **changes,
            )
            return {"funded_period": fp.pk, "amount": fp.amount, "last_month": fp.last_month}
        if action == "overlaps":
            return selectors.overlaps(user=actor, period=o["period"])
        if action == "villages":
            return village_arrears(user=actor, regency=o["target"], as_of=_day(o["date"]))
        if action == "letters":
            letters = letters_issue(actor=actor, regency=o["target"], as_of=_day(o["date"]))
            return {"letters": [{"sponsor": lt.sponsor_id, "months": lt.months_in_arrears} for lt in letters]}
        raise InvalidInput.single("action", "Unknown action.")  # pragma: no cover - argparse refuses first


def _endings(action: str, o: dict[str, Any], actor: Any) -> dict[str, Any]:
    from cakupan.sponsorship.services.endings import cover_endings_decide, cover_moves_answer

    if action == "answer-move":
        if o["answer"] not in ("accept", "decline"):
            raise InvalidInput.single("answer", "Answer accept or decline.")
        return cover_moves_answer(
            actor=actor,
            to_sponsor=_id(o["target"], "sponsor"),
            from_sponsor=_id(o["from_sponsor"] or "", "from_sponsor"),
            month=o["month"] or "",
            accept=o["answer"] == "accept",
        )
    members = [m.strip() for m in (o["members"] or "").split(",") if m.strip()] or None
    return cover_endings_decide(
        actor=actor,
        sponsor=_id(o["target"], "sponsor"),
        month=o["month"] or "",
        action=o["decision"] or "",
        memberships=members,
        to_sponsor=o["to_sponsor"],
    )


def _id(text: str, field: str) -> int:
    if not (text and str(text).isdigit()):
        raise InvalidInput.single(field, "A number is required.")
    return int(text)


def _day(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput.single("date", "A day written YYYY-MM-DD.") from None
