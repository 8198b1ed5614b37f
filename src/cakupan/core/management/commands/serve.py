import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cakupan.core.deployment import secret_key_require


class Command(BaseCommand):
    help = "Serve the product with gunicorn (static files through WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--no-worker", action="store_true", help="start no job worker (run one elsewhere)"
        )

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
        job_workers = [] if options["no_worker"] else _job_workers_start()
        try:
            code = subprocess.call(command)  # noqa: S603 - fixed argument list
        finally:
            _job_workers_stop(job_workers)
        raise SystemExit(code)


# Background jobs: CAKUPAN_WORKERS `cakupan worker` processes beside gunicorn (see cakupan/jobs/worker.py),
# started as commands (core imports no app), asked to stop after their current job when gunicorn ends.
def _job_workers_start() -> list[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "cakupan.cli", "worker"]
    count = int(settings.CAKUPAN_WORKERS)
    return [subprocess.Popen(command, stdin=subprocess.DEVNULL) for _ in range(count)]  # noqa: S603


def _job_workers_stop(workers: list[subprocess.Popen[bytes]], timeout: float = 30.0) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            worker.kill()  # its job's child dies with it; the job is reaped (or retried) by the next worker
            worker.wait()
