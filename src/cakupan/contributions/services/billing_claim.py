"""Which process holds a period's billing run, so two runs of one period never work at once.

At most one run of a period is queued or running: a conditional unique constraint
(`billingrun_one_active_per_period`), so of two processes starting together the second INSERT fails. A run
records the process running it (`pid`, `host`); it is taken over with a compare-and-set UPDATE on the pid it
was seen with, so of two processes resuming one dead run only one wins.

A dead run must not block its period for ever. A run is held while its process lives: `os.kill(pid, 0)` on
this host (a run on another host is taken as alive: we cannot see its processes). A queued run waiting for
its job's process is held until that job has a process that died. A killed run (status still running, its
process gone) is therefore resumed by the next start of its period, from its last finished chunk.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cakupan.contributions.models import BillingRun
from cakupan.core.errors import InvalidInput
from cakupan.jobs.models import Job
from cakupan.rules.period import Period

ACTIVE = [BillingRun.Status.QUEUED, BillingRun.Status.RUNNING]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    return True


def held_elsewhere(run: BillingRun) -> bool:
    """Whether another live process holds the run (this process may always take back its own run)."""
    if run.status not in ACTIVE:
        return False
    if run.pid is not None:
        if run.host and run.host != socket.gethostname():
            return True
        return run.pid != os.getpid() and _pid_alive(run.pid)
    job = Job.objects.filter(pk=run.job_id).first() if run.job_id else None
    if job is None or job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
        return False
    # The job's process is launched after its row commits: no pid yet means the launch is still due.
    return job.pid is None or (job.pid != os.getpid() and _pid_alive(job.pid))


def _refusal(run: BillingRun) -> InvalidInput:
    return InvalidInput.single(
        "period",
        _("A billing run of %(period)s is in progress (run %(run)s); wait for it to finish.")
        % {"period": run.period, "run": run.pk},
    )


def run_for_period(*, period: Period, actor: Any, parameters: dict[str, Any], claim: bool) -> BillingRun:
    """The run to execute for `period`: its unfinished run (queued or running with a dead process, or
    failed), else a new one. With `claim` the new run is held by this process at once (the command line);
    without, it is queued for a job. InvalidInput on "period" while a live process holds the period."""
    with transaction.atomic():
        unfinished = (
            BillingRun.objects.select_for_update()
            .filter(Q(status__in=ACTIVE) | Q(status=BillingRun.Status.FAILED), period=str(period))
            .order_by("-created_at", "-id")
        )
        active = next((r for r in unfinished if r.status in ACTIVE), None)
        if active is not None:
            if held_elsewhere(active):
                raise _refusal(active)
            return active
        failed = next(iter(unfinished), None)
        if failed is not None:
            return failed
        user = actor if getattr(actor, "pk", None) is not None else None
        held: dict[str, Any] = {"status": BillingRun.Status.RUNNING, "pid": os.getpid()}
        held["host"] = socket.gethostname()
        try:
            with transaction.atomic():
                return BillingRun.objects.create(
                    period=str(period), actor=user, parameters=parameters, **(held if claim else {})
                )
        except IntegrityError:
            # Another process inserted the period's active run since we looked.
            other = BillingRun.objects.filter(period=str(period), status__in=ACTIVE).first()
            raise _refusal(other or BillingRun(period=str(period))) from None


def run_claim(run: BillingRun) -> None:
    """Make this process the holder of `run` (status running), or refuse if a live process holds it."""
    run.refresh_from_db(fields=["status", "pid", "host", "job"])
    if run.status == BillingRun.Status.DONE:
        raise InvalidInput.single("period", _("This billing run has finished; start a new one."))
    if held_elsewhere(run):
        raise _refusal(run)
    seen = BillingRun.objects.filter(pk=run.pk, status=run.status)
    seen = seen.filter(pid__isnull=True) if run.pid is None else seen.filter(pid=run.pid, host=run.host)
    pid, host = os.getpid(), socket.gethostname()
    # Compare-and-set on the pid seen: of two processes taking over one dead run, one updates a row.
    if not seen.update(status=BillingRun.Status.RUNNING, pid=pid, host=host):
        raise _refusal(run)
    run.status = BillingRun.Status.RUNNING
    run.pid, run.host = pid, host
