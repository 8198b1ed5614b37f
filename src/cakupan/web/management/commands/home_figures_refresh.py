"""`cakupan home_figures_refresh [--scope KEY]`: recount the home pages' cached figures (registry.figures):
the registry's counts and the work queues (web/queues.py).

For a scheduler until the job queue schedules it: every scope seen lately whose figures are pending or
older than HOME_FIGURES_MAX_AGE_MINUTES, or the one scope named. Prints {"refreshed": n}."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from cakupan.web.queues import home_refresh


class Command(BaseCommand):
    help = "Recount the home pages' cached figures (pending or stale scopes, or one scope)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scope", default=None, help="the scope key of one cached row")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps({"refreshed": home_refresh(options["scope"])}))
