import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cakupan.core.errors import InvalidInput
from cakupan.demo import figures
from cakupan.demo.services import DemoError, DemoResult, demo_load


def _scale(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= figures.MAX_SCALE:
        raise argparse.ArgumentTypeError(f"must be a number above 0 and at most {figures.MAX_SCALE:g}")
    return value


class Command(BaseCommand):
    help = (
        "Demo data. `cakupan demo load` loads a reproducible data set (fixed seed) with the five article "
        "scenarios (Kab. Malang, Batang, Kab. Bekasi, Kota Malang, Lhokseumawe; about 223,000 persons at "
        "scale 1) and prints the demo logins. Run `cakupan regions load` first. Running it again changes "
        "nothing and prints the logins again; --reset removes the previous demo rows and loads anew."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load"], help="load: build the demo data set")
        parser.add_argument(
            "--scale",
            type=_scale,
            default=1.0,
            help="head counts x SCALE (default 1.0, at most 10); the articles' fixed figures (1,500/1,000 "
            "employees at the Batang company, 103 CSR drivers, 22 registered facilities) never scale",
        )
        parser.add_argument(
            "--seed", type=int, default=figures.DEFAULT_SEED, help="random seed (default %(default)s)"
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="remove the demo data already loaded (demo logins, employers with NPP 9900xxxx, the demo "
            "sponsors, persons named '... Contoh' or '... Fiktif', with their employment and memberships; "
            "the Batang workforce report with its findings and cases) and load again",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def progress(label: str, count: int | None) -> None:
            amount = "" if count is None else f": {count:,}"
            self.stdout.write(f"[{time.monotonic() - started:6.1f}s] {label}{amount}")

        seed, scale = options["seed"], options["scale"]
        self.stdout.write(f"Demo data set: seed {seed}, scale {scale:g}")
        try:
            result = demo_load(seed=seed, scale=scale, reset=options["reset"], progress=progress)
        except InvalidInput as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self._report(result, time.monotonic() - started)

    def _report(self, result: DemoResult, seconds: float) -> None:
        counts = ", ".join(f"{n:,} {label.replace('_', ' ')}" for label, n in result.counts.items())
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {seconds:.1f} s: {counts}."))
        else:
            when = f"{timezone.localtime(result.loaded_at):%Y-%m-%d %H:%M}" if result.loaded_at else "earlier"
            self.stdout.write(
                self.style.WARNING(
                    f"Demo data already loaded ({when}, seed {result.seed}, scale {result.scale:g}"
                    f"{': ' + counts if counts else ''}). Nothing changed; "
                    "`cakupan demo load --reset` rebuilds it."
                )
            )
        self.stdout.write("")
        self.stdout.write(f"Logins (password for every one: {figures.PASSWORD}):")
        width = max(len(login.username) for login in result.logins)
        for login in result.logins:
            self.stdout.write(f"  {login.username:<{width}}  {login.role:<14}  {login.scope}")
