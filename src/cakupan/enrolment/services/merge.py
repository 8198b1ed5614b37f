"""The set-based merge of validated rows into persons, employment and memberships.

Per chunk of rows a constant number of queries: one read each of the existing persons, open employment
and active memberships, then bulk writes. Idempotent by natural keys: a person by NIK, an open
employment by person x employer, an active membership by person x employer (PU) or person x segment
without employer (BPU); a row that matches what is registered changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import polars as pl
from django.utils import timezone

from cakupan.accounts.scope import Scope
from cakupan.enrolment.models import LinkReview
from cakupan.enrolment.services.linking import PAIR_SCHEMA, held_rows
from cakupan.enrolment.services.validate import Row
from cakupan.partners.models import PartnerAgency
from cakupan.registry.models import Employer, Employment, Membership, Person, Segment, Sponsor
from cakupan.registry.selectors import person_list
from cakupan.registry.services.scope_keys import scope_keys_refresh

CHUNK = 2000
T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    kind: str  # employer, sponsor or agency
    segment: str
    employer: Employer | None = None
    sponsor: Sponsor | None = None
    agency: PartnerAgency | None = None
    agency_scope: Scope | None = None
    # The uploader's scope: a person outside it is linked only when the row agrees with the registry
    # (else held for review: linking.py), and their own data are not changed.
    scope: Scope | None = None
    roster_import_id: int | None = None  # where held rows are filed (LinkReview)


Progress = Callable[[str, int, int], None]


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def kpj_bulk(count: int) -> list[str]:
    """`count` distinct unused 11-digit KPJ numbers, checked against the table in one query per round."""
    found: set[str] = set()
    while len(found) < count:
        batch = {f"{secrets.randbelow(9 * 10**10) + 10**10}" for _ in range(count - len(found))} - found
        taken = set(Membership.objects.filter(kpj__in=batch).values_list("kpj", flat=True))
        found |= batch - taken
    return sorted(found)


def merge(
    rows: list[Row], target: Target, *, dry_run: bool, progress: Progress | None = None
) -> pl.DataFrame:
    """Decides each valid row's status (imported, updated, unchanged, held) or rejects it; writes unless
    dry run.

    Returns the outcome per row: number, status ("" when rejected here), the reason codes added here
    (`extra`), and the registered birth date and sex quoted by a conflict (persons the uploader sees)."""
    known = {r.number: len(r.reasons) for r in rows}
    employer_of = {r.number: r.employer_id for r in rows if r.employer_id is not None}  # payer.py
    live = [r for r in rows if not r.rejected]
    done = 0
    touched: set[int] = set()
    for part in chunks(live):
        touched |= _merge_chunk(list(part), target, employer_of, dry_run=dry_run)
        done += len(part)
        if progress is not None:
            progress("merged", done, len(live))
    # The scope keys of every person written, at once: the chunks were decided on the registry as it
    # was, as the COPY path decides the whole file.
    if touched:
        scope_keys_refresh(sorted(touched))
    params = {r.number: dict(x.params) for r in rows for x in r.reasons[known[r.number] :] if x.params}
    return pl.DataFrame(
        {
            "number": [r.number for r in rows],
            "status": ["" if r.rejected else r.status for r in rows],
            "extra": [[x.code for x in r.reasons[known[r.number] :]] for r in rows],
            "reg_birth": [
                params.get(r.number, {}).get("registered") if _has(r, "conflict_birth_date") else None
                for r in rows
            ],
            "reg_sex": [
                params.get(r.number, {}).get("registered") if _has(r, "conflict_sex") else None for r in rows
            ],
        },
        schema={
            "number": pl.Int64,
            "status": pl.Utf8,
            "extra": pl.List(pl.Utf8),
            "reg_birth": pl.Utf8,
            "reg_sex": pl.Utf8,
        },
    )


def _has(row: Row, code: str) -> bool:
    return any(x.code == code for x in row.reasons)


def persons_in_scope(target: Target, person_ids: list[int]) -> set[int] | None:
    """The ids among `person_ids` the uploader sees in full and may change; None: all of them.

    Nobody (an empty set) for a role that sees NIKs masked: it knows its members by a masked NIK only,
    so a roster must not confirm that a NIK it guessed is one of theirs (conflicts quoting the registry,
    an "unchanged" row). Its rows are checked as for persons outside the scope (linking.py)."""
    if target.scope is None or target.scope.everything:
        return None
    if target.scope.masks_nik:
        return set()
    found: set[int] = set()
    for part in chunks(person_ids):
        found.update(
            person_list(user=None, scope=target.scope).filter(pk__in=part).values_list("pk", flat=True)
        )
    return found


def _held(rows: list[Row], persons: dict[str, Person], in_scope: set[int] | None) -> set[int]:
    """The rows naming a person outside the scope whose name, birth date or sex disagree (linking.py)."""
    if in_scope is None:
        return set()
    pairs = [(r, p) for r in rows if (p := persons.get(r.nik)) is not None and p.pk not in in_scope]
    frame = pl.DataFrame(
        {
            "number": [r.number for r, _p in pairs],
            "full_name": [r.full_name for r, _p in pairs],
            "birth_date": [r.birth_date for r, _p in pairs],
            "sex": [r.sex for r, _p in pairs],
            "reg_name": [p.full_name for _r, p in pairs],
            "reg_birth": [p.birth_date for _r, p in pairs],
            "reg_sex": [p.sex for _r, p in pairs],
        },
        schema=PAIR_SCHEMA,
    )
    return held_rows(frame)


def _review(row: Row, target: Target, person: Person, employer_id: int | None) -> LinkReview:
    assert row.birth_date is not None
    assert row.sex is not None
    assert row.start_date is not None
    assert target.roster_import_id is not None  # set by roster_import before the merge
    return LinkReview(
        roster_import_id=target.roster_import_id,
        row_number=row.number,
        person=person,
        employer_id=employer_id,
        sponsor=target.sponsor if employer_id is None else None,
        segment=target.segment,
        full_name=row.full_name,
        birth_date=row.birth_date,
        sex=row.sex,
        phone=row.phone,
        region=row.region or "",
        basic_wage=row.wage,
        fixed_allowance=row.allowance,
        declared_income=row.income if row.income is not None else row.income_default,
        bpu_sector=row.sector if employer_id is None else "",
        programs=",".join(row.programs),
        start_date=row.start_date,
    )


def _merge_chunk(rows: list[Row], target: Target, employer_of: dict[int, int], *, dry_run: bool) -> set[int]:
    """Decides and (unless dry run) writes the rows; returns the ids of the persons written."""
    now = timezone.now()
    persons = {p.nik: p for p in Person.objects.filter(nik__in=[r.nik for r in rows])}
    person_ids = [p.pk for p in persons.values()]
    in_scope = persons_in_scope(target, person_ids)
    held = _held(rows, persons, in_scope)
    reviews: list[LinkReview] = []
    pu = target.segment == Segment.PU
    employer_ids = sorted(set(employer_of.values()))
    open_jobs: dict[tuple[int, int], Employment] = {}
    pu_members: set[tuple[int, int | None]] = set()
    bpu_members: dict[int, Membership] = {}
    if person_ids and pu:
        open_jobs = {
            (e.person_id, e.employer_id): e
            for e in Employment.objects.filter(
                person_id__in=person_ids, employer_id__in=employer_ids, end_date__isnull=True
            )
        }
        pu_members = set(
            Membership.objects.filter(
                person_id__in=person_ids, employer_id__in=employer_ids, status=Membership.Status.ACTIVE
            ).values_list("person_id", "employer_id")
        )
    elif person_ids:
        bpu_members = {
            m.person_id: m
            for m in Membership.objects.filter(
                person_id__in=person_ids,
                segment=target.segment,
                employer__isnull=True,
                status=Membership.Status.ACTIVE,
            )
        }
    new_persons: list[Person] = []
    changed_persons: list[Person] = []
    new_jobs: list[Employment] = []
    changed_jobs: list[Employment] = []
    new_members: list[Membership] = []
    changed_members: list[Membership] = []
    for row in rows:
        person = persons.get(row.nik)
        created = updated = False
        visible = person is not None and (in_scope is None or person.pk in in_scope)
        if person is not None and visible:
            # Conflicts quote the registry only to an uploader who already sees the person; a person
            # outside the scope whose row disagrees is held instead, which reads like a new person in a
            # dry run, so neither tells whether the NIK is registered.
            if person.birth_date != row.birth_date:
                row.reject("conflict_birth_date", registered=f"{person.birth_date:%d/%m/%Y}")
            if person.sex != row.sex:
                row.reject("conflict_sex", registered=person.sex)
        elif row.region is None and row.region_default is None:
            # A person outside the scope needs an address as a new one does.
            row.reject("region_invalid")
        if person is not None and row.number in held and not row.rejected:
            reviews.append(_review(row, target, person, employer_of.get(row.number) if pu else None))
            row.status = "held"
            continue
        membership = bpu_members.get(person.pk) if person is not None and not pu else None
        if membership is not None and (target.sponsor is None or membership.sponsor_id != target.sponsor.pk):
            row.reject("membership_other_payer")
        if row.rejected:
            continue
        # Validation rejected rows without these; the asserts tell the type checker.
        assert row.start_date is not None
        start, wage = row.start_date, row.wage or 0
        if person is None:
            # Rows without these were rejected in validation; the asserts tell the type checker.
            assert row.birth_date is not None
            assert row.sex is not None
            person = Person(
                nik=row.nik,
                full_name=row.full_name,
                birth_date=row.birth_date,
                sex=row.sex,
                phone=row.phone,
                address_region_id=row.region or row.region_default or "",
                nik_warnings=row.nik_warnings,
            )
            new_persons.append(person)
            created = True
        elif visible and (
            (row.phone and row.phone != person.phone)
            or (row.region and row.region != person.address_region_id)
        ):
            # Someone else's record (another employer's worker, another region's resident) is linked but
            # keeps its phone and address; not reported, since a note would tell the NIK is registered.
            person.phone = row.phone or person.phone
            person.address_region_id = row.region or person.address_region_id
            person.updated_at = now
            changed_persons.append(person)
            updated = True
        if pu:
            employer_id = employer_of[row.number]
            job = open_jobs.get((person.pk, employer_id)) if person.pk else None
            if job is None:
                job = Employment(
                    person=person,
                    employer_id=employer_id,
                    start_date=start,
                    basic_wage=wage,
                    fixed_allowance=row.allowance,
                )
                new_jobs.append(job)
                created = True
            elif (job.basic_wage, job.fixed_allowance) != (wage, row.allowance):
                job.basic_wage, job.fixed_allowance, job.updated_at = wage, row.allowance, now
                changed_jobs.append(job)
                updated = True
            if (person.pk, employer_id) not in pu_members or not person.pk:
                new_members.append(_membership(row, target, person, employer_id=employer_id, job=job))
                created = True
        elif membership is None:
            new_members.append(_membership(row, target, person))
            created = True
        elif (
            row.income is not None and membership.declared_income != row.income
        ) or membership.bpu_sector != row.sector:
            # A row without income keeps the member's income (the payer's basis is for new members).
            membership.declared_income = membership.declared_income if row.income is None else row.income
            membership.bpu_sector = row.sector
            membership.updated_at = now
            changed_members.append(membership)
            updated = True
        row.status = "imported" if created else "updated" if updated else "unchanged"
    if dry_run:
        return set()
    Person.objects.bulk_create(new_persons)
    Person.objects.bulk_update(changed_persons, ["phone", "address_region", "updated_at"])
    Employment.objects.bulk_create(new_jobs)
    Employment.objects.bulk_update(changed_jobs, ["basic_wage", "fixed_allowance", "updated_at"])
    for member, kpj in zip(new_members, kpj_bulk(len(new_members)), strict=True):
        member.kpj = kpj
    Membership.objects.bulk_create(new_members)
    Membership.objects.bulk_update(changed_members, ["declared_income", "bpu_sector", "updated_at"])
    LinkReview.objects.bulk_create(reviews, ignore_conflicts=True)  # already pending from an earlier file
    written = (*new_persons, *changed_persons)
    return {p.pk for p in written} | {j.person_id for j in new_jobs} | {m.person_id for m in new_members}


def _membership(
    row: Row, target: Target, person: Person, *, employer_id: int | None = None, job: Employment | None = None
) -> Membership:
    programs = set(row.programs)
    assert row.start_date is not None
    return Membership(
        person=person,
        segment=target.segment,
        start_date=row.start_date,
        payer_kind=Membership.PayerKind.EMPLOYER if employer_id else Membership.PayerKind.SPONSOR,
        employer_id=employer_id,
        employment=job,
        sponsor=target.sponsor,
        declared_income=(row.income if row.income is not None else row.income_default)
        if employer_id is None
        else None,
        bpu_sector=row.sector if employer_id is None else "",
        **{f: f.upper() in programs for f in Membership.PROGRAM_FIELDS},
    )
