"""A billing run's execution (log, start, end) is recorded by its job: carry each run's over to its job,
making one for a run that had none (the command line's), then drop the run's copies."""

from typing import Any

from django.db import migrations

STATUSES = {"queued", "running", "done", "failed"}


def carry_over(apps: Any, schema_editor: Any) -> None:
    BillingRun = apps.get_model("contributions", "BillingRun")
    Job = apps.get_model("jobs", "Job")
    for run in BillingRun.objects.all().iterator():
        job = Job.objects.filter(pk=run.job_id).first() if run.job_id else None
        if job is None:
            job = Job.objects.create(
                kind="billing_run",
                parameters={"period": run.period, "run": run.pk},
                status=run.status if run.status in STATUSES else "failed",
                actor_id=run.actor_id,
                pid=run.pid,
                host=run.host,
                attempts=1,
            )
            run.job_id = job.pk
            run.save(update_fields=["job"])
        if run.log and run.log not in job.log:
            job.log = f"{run.log}{job.log}"
        job.started_at = job.started_at or run.started_at
        job.finished_at = job.finished_at or run.finished_at
        job.save(update_fields=["log", "started_at", "finished_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0004_payment_held_for_review"),
        ("jobs", "0002_queue"),
    ]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveField(model_name="billingrun", name="finished_at"),
        migrations.RemoveField(model_name="billingrun", name="log"),
        migrations.RemoveField(model_name="billingrun", name="started_at"),
    ]
