import subprocess
import sys
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cakupan.core.deployment import secret_key_require


class Command(BaseCommand):
    help = "Serve the product with gunicorn (static files through WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        # Refuse before gunicorn starts, with the message on the console rather than in a worker's log.
        try:
            secret_key_require()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Cakupan is served on http://{bind}/ (Ctrl+C stops it)")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "cakupan.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--timeout",
            "120",
            "--access-logfile",
            "-",
        ]
        raise SystemExit(subprocess.call(command))  # noqa: S603 - fixed argument list
