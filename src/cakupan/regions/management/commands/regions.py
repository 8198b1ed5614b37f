from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.regions.services import regions_load


class Command(BaseCommand):
    help = "Region reference data. `cakupan regions load` loads the official Kemendagri list (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["load"], help="load: provinces, regencies/cities and districts"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = regions_load()
        self.stdout.write(
            f"regions: {counts['provinces']} provinces, {counts['regencies']} regencies/cities, "
            f"{counts['districts']} districts ({counts['created']} added, {counts['renamed']} renamed)"
        )
