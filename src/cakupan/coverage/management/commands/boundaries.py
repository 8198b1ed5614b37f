"""`cakupan boundaries import FILE.geojson [--key PROPERTY]`: province or regency outlines for the map."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.accounts.permissions import SYSTEM
from cakupan.core.commands import bad_input_exits, command_actor_or_none, user_option
from cakupan.coverage.services.boundaries import KEYS, boundaries_import


class Command(BaseCommand):
    help = (
        "Import boundaries from a GeoJSON FeatureCollection keyed by Kemendagri codes (35 or 35.73). "
        f"The key property is the first present of {', '.join(KEYS)} unless --key names it. Prints counts, "
        "the codes mapped (pre-2022 Papua codes, split provinces), what was skipped and why, and the "
        "regencies without a boundary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import"])
        parser.add_argument("path", help="GeoJSON file")
        parser.add_argument("--key", default=None, help="feature property holding the region code")
        user_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            actor = command_actor_or_none(options["user"]) or SYSTEM
            result = boundaries_import(actor=actor, path=Path(options["path"]), key=options["key"])
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
