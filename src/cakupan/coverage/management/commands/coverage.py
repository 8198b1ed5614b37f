"""`cakupan coverage snapshot --period YYYY-MM | --due`, `cakupan coverage show [--region CODE]
[--period YYYY-MM] [--json]` (no period: the newest built month) and `cakupan coverage targets-import PATH`.

The command line acts as the national administrator (it runs on the server, like the scheduled job).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakupan.accounts.permissions import SYSTEM
from cakupan.accounts.scope import EVERYTHING
from cakupan.core.commands import bad_input_exits, command_actor_or_none, user_option
from cakupan.core.errors import InvalidInput
from cakupan.coverage import selectors
from cakupan.coverage.services.snapshots import JOB_KIND, snapshot_build
from cakupan.coverage.services.targets import targets_import
from cakupan.jobs.models import Job
from cakupan.jobs.services import job_create, job_run
from cakupan.registry.services.memberships import memberships_end_due

ADMIN = EVERYTHING


class Command(BaseCommand):
    help = (
        "Coverage snapshots, the coverage of a region, and targets. `snapshot --due` builds every month "
        "from the last built one up to last month (nothing due: says so), recorded as a "
        f"'{JOB_KIND}' job; for cron, e.g. "
        "`15 2 * * * cd /srv/cakupan && .venv/bin/cakupan coverage snapshot --due`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["snapshot", "show", "targets-import"])
        parser.add_argument("path", nargs="?", help="targets CSV (targets-import)")
        parser.add_argument("--period", help="YYYY-MM (show: default the newest built month)")
        parser.add_argument("--region", default="", help="Kemendagri code; empty or ID for Indonesia")
        parser.add_argument("--json", action="store_true", help="print JSON (show)")
        parser.add_argument(
            "--due", action="store_true", help="snapshot: build the months due (for cron / a systemd timer)"
        )
        user_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with bad_input_exits(self.stdout):
            actor = command_actor_or_none(options["user"]) or SYSTEM if options["action"] != "show" else None
            if options["action"] == "snapshot" and options["due"]:
                self._due(actor)
            elif options["action"] == "snapshot":
                result = snapshot_build(period=options["period"] or "", actor=actor)
                self.stdout.write(json.dumps(result))
            elif options["action"] == "targets-import":
                if not options["path"]:
                    raise InvalidInput.single("path", "Give the file to import.")
                self.stdout.write(json.dumps(targets_import(actor=actor, path=Path(options["path"]))))
            else:
                answer = selectors.coverage_show(
                    scope=ADMIN, region=options["region"], period=options["period"] or ""
                )
                self.stdout.write(
                    json.dumps(answer, ensure_ascii=False, indent=2) if options["json"] else _text(answer)
                )

    def _due(self, actor: Any) -> None:
        # The daily run also ends the memberships whose scheduled end date has come, so the status the
        # pages count is right the next morning (registry/services/memberships.py).
        memberships_end_due(actor=actor)
        # Run as a recorded job in this process, so scheduled runs show in the jobs table with their log.
        job = job_run(job_id=job_create(kind=JOB_KIND, parameters={"due": True}, actor=actor).pk)
        if job.status != Job.Status.DONE:
            self.stderr.write(job.error)
            raise SystemExit(1)
        built = (job.result or {}).get("built", [])
        self.stdout.write(
            f"built {', '.join(built)} (job {job.pk})" if built else f"nothing to do (job {job.pk})"
        )


def _text(answer: dict[str, Any]) -> str:
    workforce = answer["workforce_detail"]
    rate = "n/a" if answer["rate"] is None else f"{answer['rate'] * 100:.1f} %"
    lines = [
        f"{answer['region']} {answer['region_name']}, {answer['period']}",
        f"active participants: {answer['active']:,}",
        f"workforce: {workforce['denominator']:,} ({workforce['survey']}, {workforce['source']})"
        if workforce
        else "workforce: unknown",
        f"rate: {rate} (denominator: {answer['denominator']['label']})",
    ]
    lines += [f"  {seg}: {n:,}" for seg, n in answer["by_segment"].items()]
    return "\n".join(lines)
