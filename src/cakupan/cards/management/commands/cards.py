"""`cakupan cards issue NIK [--pdf FILE] [--json] [--user NAME]`: issue a person's membership card.

Acts as SYSTEM (the operator at the server; the audit event names the OS account) or as `--user`, whose
scope then applies. Prints {"kpj", "verify_url", "status"} with --json, a line of text otherwise. An
invalid or unknown NIK exits 2 with {"errors": [{"field": "nik", ...}]}, a role that may not issue cards
exits 3. The earlier card is revoked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from cakupan.accounts.permissions import SYSTEM
from cakupan.cards import selectors
from cakupan.cards.pdf import card_pdf
from cakupan.cards.services import card_issue_by_nik
from cakupan.core.commands import bad_input_exits, command_actor, user_option
from cakupan.core.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Membership cards: `cards issue NIK [--pdf FILE] [--json]` issues a card (revoking the earlier one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["issue"])
        parser.add_argument("nik", help="the person's NIK (16 digits)")
        parser.add_argument("--pdf", default="", help="also write the card as a PDF to this file")
        parser.add_argument(
            "--json", action="store_true", help='print {"kpj", "verify_url", "status"} as JSON'
        )
        user_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            actor = command_actor(options["user"]) if options["user"] else SYSTEM
            pdf_path = Path(options["pdf"]) if options["pdf"] else None
            if pdf_path is not None and not pdf_path.parent.is_dir():
                raise InvalidInput.single("pdf", f"No such folder: {pdf_path.parent}.")
            # One transaction: a PDF that cannot be written leaves no card issued (nor the old one revoked).
            with transaction.atomic():
                card, _token = card_issue_by_nik(actor=actor, nik=options["nik"])
                face = selectors.card_face(card=card, person=card.person)
                if pdf_path is not None:
                    try:
                        pdf_path.write_bytes(card_pdf(face))
                    except OSError as exc:
                        raise InvalidInput.single("pdf", f"Cannot write the file: {exc.strerror}.") from exc
        answer = {"kpj": face.kpj, "verify_url": face.url, "status": face.status}
        if options["json"]:
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
            return
        self.stdout.write(f"KPJ {face.kpj}, {face.status}: {face.url}")
