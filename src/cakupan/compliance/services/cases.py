"""Enforcement cases (PP 86/2013): open from findings, issue each step with its letter, remind, close.

The rules (number of warnings, working days, fine rate and period, order of steps) are read from
rules/tables/sanctions.toml with their citations; a case closes only when a later match run shows the
employer compliant (cases_close_by_run), never by hand.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.compliance.models import Case, CaseStep, Finding, FindingClass, MatchRun, Reminder, StepKind
from cakupan.compliance.services._common import chunks
from cakupan.compliance.working_days import add_working_days
from cakupan.core import display
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput
from cakupan.regions.models import BranchOffice
from cakupan.rules.money import percent_of
from cakupan.rules.sanctions import sanction_tables

WARNINGS = (StepKind.WARNING_1, StepKind.WARNING_2)
ENFORCEABLE = (
    FindingClass.PWBD,
    FindingClass.PDS_WORKERS,
    FindingClass.PDS_WAGES,
    FindingClass.PDS_PROGRAMMES,
)


def _target(finding: Finding) -> tuple[Any, ...]:
    if finding.employer_id:
        return ("employer", finding.employer_id)
    return ("reported", finding.reported.nib or finding.reported.name_key, finding.reported.region_id[:5])


@transaction.atomic
def case_open(*, actor: Any, finding_ids: list[int]) -> Case:
    """One case per employer: the findings must name the same employer and show a gap."""
    require(actor, Perm.COMPLIANCE_ENFORCE)
    from cakupan.compliance.selectors import finding_list

    findings = list(finding_list(user=actor).filter(pk__in=finding_ids).select_related("reported"))
    if not finding_ids or len(findings) != len(set(finding_ids)):
        raise InvalidInput.single("findings", _("Choose findings you may see."))
    if any(f.klass not in ENFORCEABLE for f in findings):
        raise InvalidInput.single("findings", _("Only findings with a gap (PWBD or PDS) open a case."))
    targets = {_target(f) for f in findings}
    if len(targets) != 1:
        raise InvalidInput.single("findings", _("The findings concern different employers."))
    first = findings[0]
    open_case = Case.objects.filter(status=Case.Status.OPEN)
    if first.employer_id:
        open_case = open_case.filter(employer_id=first.employer_id)
    else:
        open_case = open_case.filter(
            employer__isnull=True, name_key=first.reported.name_key, region_id=first.reported.region_id
        )
    if open_case.exists():
        raise InvalidInput.single("findings", _("An open case already exists for this employer."))
    case = Case.objects.create(
        employer_id=first.employer_id,
        name=first.employer.name if first.employer else first.reported.name,
        nib=first.reported.nib,
        name_key=first.reported.name_key,
        region_id=first.region_id,
        branch_office_id=first.branch_office_id,
        gap=max(f.gap for f in findings),  # several periods of one employer: the largest monthly gap
        opened_by=actor,
    )
    case.findings.set(findings)
    audit_record(actor=actor, action="compliance.case_open", instance=case, changes={"findings": finding_ids})
    return case


def fine_amount(gap: int) -> int:
    """PP 86/2013 Pasal 7: 0.1 % a month [M] of the contribution that should have been paid, for at most 30
    days after the second warning ends [C]: at most one month of the monthly gap."""
    tables = sanction_tables()
    months = max(1, -(-tables.fine_max_days.value // 30))
    return percent_of(gap * months, tables.fine_rate.value)


@transaction.atomic
def case_step_issue(*, actor: Any, case: Case, kind: str, today: dt.date | None = None) -> CaseStep:
    """Issue the next step of a case and its letter (PDF, Bahasa Indonesia)."""
    require(actor, Perm.COMPLIANCE_ENFORCE)
    from cakupan.compliance.letters import letter_render

    today = today or timezone.localdate()
    tables = sanction_tables()
    if kind not in tables.steps:
        raise InvalidInput.single("kind", _("Unknown step."))
    if case.status != Case.Status.OPEN:
        raise InvalidInput.single("kind", _("The case is closed."))
    issued = {s.kind: s for s in case.steps.all()}
    if kind in issued:
        raise InvalidInput.single("kind", _("This step has been issued already."))
    if kind == StepKind.WARNING_2 and tables.warning_count.value < 2:
        raise InvalidInput.single("kind", _("The rule table allows one warning only."))
    rule = tables.steps[kind]
    for before in rule.after:
        step = issued.get(before)
        if step is None:
            raise InvalidInput.single("kind", _("Issue “%(step)s” first.") % {"step": StepKind(before).label})
        if rule.after_deadline and step.deadline and today <= step.deadline:
            raise InvalidInput.single(
                "kind",
                _("The deadline of “%(step)s” runs until %(day)s.")
                % {"step": StepKind(before).label, "day": display.date(step.deadline)},
            )
    step = CaseStep(case=case, kind=kind, issued_on=today, issued_by=actor)
    if kind in WARNINGS:
        step.deadline = add_working_days(today, tables.warning_working_days.value)
    if kind == StepKind.FINE:
        step.amount = fine_amount(case.gap)
    step.number = letter_number(case=case, day=today)
    step.letter = letter_render(step=step, tables=tables)
    step.save()
    # A step taken answers the reminders of the steps before it.
    Reminder.objects.filter(step__case=case, step__kind__in=rule.after).update(done=True)
    audit_record(actor=actor, action="compliance.step", instance=step, changes={"kind": kind})
    return step


def letter_number(*, case: Case, day: dt.date) -> str:
    """The next outgoing letter number of the case's office in BPJS Ketenagakerjaan's form
    "B/<number>/<MMYYYY>" (as its letters are quoted, rules.md §2.4: B/1397/022018; a practice seen, not
    a regulation), from 1 each calendar year per issuing office (the head office when the case has
    none). The office's row is locked so that two letters issued at once cannot take one number."""
    steps = CaseStep.objects.filter(issued_on__year=day.year)
    if case.branch_office_id:
        BranchOffice.objects.select_for_update().filter(pk=case.branch_office_id).first()
        steps = steps.filter(case__branch_office_id=case.branch_office_id)
    else:
        steps = steps.filter(case__branch_office__isnull=True)
    return f"B/{steps.count() + 1}/{day:%m%Y}"


def _moved_on(kind: str, issued: set[str]) -> bool:
    steps = sanction_tables().steps
    return any(kind in steps[k].after for k in issued if k in steps)


def compliance_remind(*, today: dt.date | None = None) -> list[Reminder]:
    """A reminder for each step of an open case whose deadline has passed while the case did not move on."""
    today = today or timezone.localdate()
    overdue = CaseStep.objects.filter(
        case__status=Case.Status.OPEN, deadline__lt=today, reminder__isnull=True
    ).values("id", "kind", "case_id")
    rows = list(overdue)
    issued: dict[int, set[str]] = {}
    for case_id, kind in CaseStep.objects.filter(case_id__in={r["case_id"] for r in rows}).values_list(
        "case_id", "kind"
    ):
        issued.setdefault(case_id, set()).add(kind)
    todo = [
        Reminder(step_id=r["id"]) for r in rows if not _moved_on(r["kind"], issued.get(r["case_id"], set()))
    ]
    Reminder.objects.bulk_create(todo, ignore_conflicts=True)
    return list(Reminder.objects.filter(step_id__in=[r.step_id for r in todo]).select_related("step__case"))


def cases_close_by_run(*, run: MatchRun) -> list[Case]:
    """Close the open cases whose employer this run found compliant (the gap closed). Read from the open
    cases' side: a run of a million findings is not loaded to close a handful of cases."""
    candidates = list(Case.objects.filter(status=Case.Status.OPEN))
    if not candidates:
        return []
    compliant = Finding.objects.filter(run=run, klass=FindingClass.COMPLIANT).select_related("reported")
    wanted = (
        ("employer_id__in", sorted({c.employer_id for c in candidates if c.employer_id})),
        ("reported__nib__in", sorted({c.nib for c in candidates if c.nib})),
        ("reported__name_key__in", sorted({c.name_key for c in candidates if c.employer_id is None})),
    )
    relevant: dict[int, Finding] = {}
    for lookup, values in wanted:
        for part in chunks(values):
            relevant.update((f.pk, f) for f in compliant.filter(**{lookup: part}))
    ordered = sorted(relevant.values(), key=lambda f: (-f.gap, f.pk))  # Finding's ordering, as before
    by_employer = {f.employer_id: f for f in ordered if f.employer_id}
    by_nib = {f.reported.nib: f for f in ordered if f.reported.nib}
    by_key = {(f.reported.name_key, f.reported.region_id[:5]): f for f in ordered}
    closed: list[Case] = []
    now = timezone.now()
    for case in candidates:
        finding = (
            (by_employer.get(case.employer_id) if case.employer_id else None)
            or (by_nib.get(case.nib) if case.nib else None)
            or (by_key.get((case.name_key, case.region_id[:5])) if case.employer_id is None else None)
        )
        if finding is None:
            continue
        case.status, case.closed_at, case.closed_by_finding = Case.Status.CLOSED, now, finding
        case.save(update_fields=["status", "closed_at", "closed_by_finding"])
        Reminder.objects.filter(step__case=case).update(done=True)
        closed.append(case)
    return closed
