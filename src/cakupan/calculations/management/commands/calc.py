"""`cakupan calc contribution|benefit` as a Django management command (e.g. `manage.py calc` or
`call_command("calc", "contribution")`). The `cakupan` console script runs the same code without starting
Django; see cakupan.calculations.console."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.calculations.console import KINDS, run


class Command(BaseCommand):
    help = "Read a JSON object on standard input and print the contribution or benefit answer as JSON."
    requires_system_checks: list[str] = []  # a pure calculation: no models, no database

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)

    def handle(self, *args: Any, **options: Any) -> None:
        code, answer = run(options["kind"], sys.stdin.read())
        self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))
        if code:
            raise SystemExit(code)
