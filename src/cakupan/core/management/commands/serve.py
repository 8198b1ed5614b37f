import os
import shutil
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cakupan.core.deployment import (
    GRACEFUL_SECONDS,
    WORKER_TIMEOUT_SECONDS,
    ProcessGroup,
    cores_available,
    secret_key_require,
    serve_sizing,
)


class Command(BaseCommand):
    help = (
        "Serve the product with gunicorn (static files through WhiteNoise): 2 x cores + 1 gthread workers "
        "(at most 12) of 4 threads unless told otherwise, and CAKUPAN_WORKERS job workers beside it. "
        "SIGTERM or SIGINT stops them all, then this."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        workers, threads = settings.CAKUPAN_WEB_WORKERS or None, settings.CAKUPAN_WEB_THREADS or None
        parser.add_argument("--workers", type=int, default=workers, help="default: 2 x cores + 1")
        parser.add_argument("--threads", type=int, default=threads, help="default: 4")
        parser.add_argument(
            "--no-worker", action="store_true", help="start no job worker beside the web server"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Refuse before gunicorn starts, with the message on the console rather than in a worker's log.
        try:
            secret_key_require()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        sizing = serve_sizing(cores=cores_available(), workers=options["workers"], threads=options["threads"])
        bind = f"{options['host']}:{options['port']}"
        # Each worker writes its metrics here and /metrics sums them (core.metrics); a fresh set per start.
        metrics_dir = settings.VAR_DIR / "prometheus" / str(options["port"])
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        self.stdout.write(
            f"Cakupan is served on http://{bind}/ by {sizing.workers} workers of {sizing.threads} threads "
            "(Ctrl+C stops it)"
        )
        self.stdout.flush()
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "cakupan.wsgi:application",
            "--config",
            "python:cakupan.core.gunicorn_conf",
            "--bind",
            bind,
            "--worker-class",
            "gthread",
            "--workers",
            str(sizing.workers),
            "--threads",
            str(sizing.threads),
            "--timeout",
            str(WORKER_TIMEOUT_SECONDS),
            "--graceful-timeout",
            str(GRACEFUL_SECONDS),
            # No access log: every request is a JSON line of our own, with its id, user and role
            # (core.observability).
        ]
        group = ProcessGroup()
        group.start(web, env=env)
        # Beside the web server: CAKUPAN_WORKERS job workers (cakupan.jobs.worker), started as commands (core
        # imports no app), children of the same group: they get the same signals and stop with gunicorn.
        if not options["no_worker"]:
            for _ in range(int(settings.CAKUPAN_WORKERS)):
                group.start([sys.executable, "-m", "cakupan.cli", "worker"], env=env)
        raise SystemExit(group.wait())
