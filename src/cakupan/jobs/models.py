"""Persisted background jobs.

`Job` (table jobs_job) is one long task run outside the request: `kind` names a callable registered in
`cakupan.jobs.services.JOB_KINDS`, `parameters` is its JSON input, `status` moves queued -> running ->
done | failed, `progress_done` / `progress_total` let a page show a bar, `log` collects lines, `error` the
failure. A job is started with `job_start(kind=, parameters=, actor=)`, which queues a django-tasks task
that a worker (`cakupan worker`) takes; the worker runs it in a limited child (`cakupan jobs run <id>`).
`pid` and `host` name the worker process that answers for a running job, `heartbeat_at` its last sign of
life (a job on another host is dead when it is older than CAKUPAN_JOB_LEASE_SECONDS), `attempts` how many
times it was started, `task_id` its current task in the queue.

`ScheduledRun` (jobs_scheduledrun) records that a schedule entry (jobs/schedule.py) was enqueued for one
due time: unique (name, due_at), so of two workers' schedulers only one enqueues it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=60)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.BigIntegerField(_("done"), default=0)
    progress_total = models.BigIntegerField(_("total"), null=True, blank=True)
    log = models.TextField(_("log"), blank=True, default="")
    error = models.TextField(_("error"), blank=True, default="")
    result = models.JSONField(_("result"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pid = models.IntegerField(_("process id"), null=True, blank=True)
    host = models.CharField(_("host"), max_length=255, blank=True, default="")
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    task_id = models.CharField(_("task"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="job_status_valid"
            ),
            models.CheckConstraint(condition=Q(progress_done__gte=0), name="job_progress_nonneg"),
        ]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class ScheduledRun(models.Model):
    name = models.CharField(_("schedule entry"), max_length=60)
    due_at = models.DateTimeField(_("due"))
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-due_at", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "due_at"], name="scheduledrun_once")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.due_at:%Y-%m-%d %H:%M}"
