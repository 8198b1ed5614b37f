"""`cakupan sponsor_income_basis SPONSOR_ID AMOUNT [--json]`: the monthly income declared for a sponsor's
members whose roster gives none (AMOUNT "-" or "": back to the lowest BPU level). Answers {"sponsor",
"income_basis", "income_basis_applied"}; bad input prints {"errors": [{"field", "message"}]} and exits 2,
nothing written. (`cakupan sponsors income-basis` calls the same `run`.)"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from cakupan.core.commands import bad_input_exits, command_actor, user_option
from cakupan.core.errors import InvalidInput
from cakupan.registry import selectors, services


def run(sponsor: str, amount: str, *, user: str) -> dict[str, Any]:
    actor = command_actor(user)
    text = (sponsor or "").strip()
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput.single("sponsor", "Give the sponsor's id (a number).")
    basis = None if (amount or "").strip() in ("", "-") else amount.strip()
    found = services.sponsor_income_basis_set(actor=actor, sponsor=int(text), income_basis=basis)
    return {
        "sponsor": found.pk,
        "income_basis": found.income_basis,
        "income_basis_applied": selectors.sponsor_income_basis(sponsor=found, day=timezone.localdate()),
    }


class Command(BaseCommand):
    help = "Set a sponsor's income basis: the declared income of members whose roster gives none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sponsor", help="the sponsor's id")
        parser.add_argument("amount", help='whole Rupiah a month; "-" for the lowest BPU level')
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        user_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            out = run(options["sponsor"], options["amount"], user=options["user"])
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            self.stdout.write("\n".join(f"{k}: {v}" for k, v in out.items()))
