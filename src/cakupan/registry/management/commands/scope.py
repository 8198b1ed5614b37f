import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.registry.services.scope_keys import scope_keys_differences, scope_keys_rebuild


class Command(BaseCommand):
    help = (
        "Scope keys stored on the registry's rows. `cakupan scope check` compares them with a fresh "
        "derivation (exit 1 and the differences when they drifted, e.g. after manual SQL); "
        "`cakupan scope rebuild` derives them all again, with the key tables' indexes set aside and built "
        "once after (PostgreSQL; the scoped lists wait meanwhile); `--online` keeps them, so readers keep "
        "the old keys until it commits (slower at national size)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "rebuild"])
        parser.add_argument("--online", action="store_true", help="rebuild with the indexes in place")
        parser.add_argument("--limit", type=int, default=50, help="differences shown per kind (check)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            scope_keys_rebuild(bulk=not options["online"])
            self.stdout.write("scope keys rebuilt")
            return
        found = scope_keys_differences(limit=options["limit"])
        if not found:
            self.stdout.write("scope keys: consistent")
            return
        for d in found:
            self.stderr.write(f"{d.table} {d.row}: stored {d.stored or '-'}, derived {d.derived or '-'}")
        self.stderr.write(f"scope keys: {len(found)} differences; `cakupan scope rebuild` repairs them")
        sys.exit(1)
