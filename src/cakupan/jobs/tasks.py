"""The one task on django-tasks' queue: run a recorded job (jobs/worker.py says how)."""

from __future__ import annotations

from django_tasks import TaskContext, task


@task(takes_context=True)
def run_job(context: TaskContext, job_id: int) -> None:
    from cakupan.jobs.worker import job_execute

    job_execute(job_id=job_id, task_id=str(context.task_result.id))
