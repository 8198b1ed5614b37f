"""`cakupan workforce import PATH` (CSV or XLSX) and `cakupan workforce load-bps` (the shipped figures)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.accounts.permissions import SYSTEM
from cakupan.core.commands import bad_input_exits, command_actor_or_none, user_option
from cakupan.core.errors import InvalidInput
from cakupan.coverage.services.workforce import workforce_import, workforce_load_bps


class Command(BaseCommand):
    help = (
        "Workforce statistics (the coverage denominator). import PATH: columns region_code, year, "
        "survey_month, employed, formal, informal [, labour_force, public_servants, sector_*, source, "
        "synthetic]; load-bps: the real BPS figures shipped with the app."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "load-bps"])
        parser.add_argument("path", nargs="?", help="CSV or XLSX file (import)")
        parser.add_argument("--source", default="", help="source text for rows that have none")
        user_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            actor = command_actor_or_none(options["user"]) or SYSTEM
            if options["action"] == "load-bps":
                counts = workforce_load_bps(actor=actor)
            else:
                if not options["path"]:
                    raise InvalidInput.single("path", "Give the file to import.")
                counts = workforce_import(
                    actor=actor, path=Path(options["path"]), default_source=options["source"]
                )
        self.stdout.write(json.dumps(counts))
