"""Loading and removing the demo data set. Set-based: rows are built in memory, then bulk inserted in
batches, a constant number of queries per batch whatever the scale; one audit event for the whole load."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import Model, ProtectedError, Q
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.models import User
from cakupan.compliance.models import Case, WorkforceReport
from cakupan.contributions.models import Allocation, Bill, BillingRun, BillLine, PayerAccount, Payment
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput
from cakupan.core.models import AuditEvent
from cakupan.regions.models import Region
from cakupan.registry.models import Employer, Employment, Membership, Person, PersonAudience, Sponsor
from cakupan.registry.services.scope_keys import scope_keys_rebuild

from . import (
    actors,
    billing,
    s1_kab_malang,
    s2_batang,
    s2_compliance,
    s3_bekasi,
    s4_kota_malang,
    s5_lhokseumawe,
    s6_sponsorship,
    s9_field,
    story,
)
from . import figures as f
from .people import Population

BATCH = 2000
Progress = Callable[[str, int | None], None]
_M = TypeVar("_M", bound=Model)


SCENARIOS: list[tuple[str, Callable[[Population], Any]]] = [
    ("S1 Kab. Malang", s1_kab_malang.build),
    ("S2 Batang", s2_batang.build),
    ("S3 Kab. Bekasi", s3_bekasi.build),
    ("S4 Kota Malang", s4_kota_malang.build),
    ("S5 Kota Lhokseumawe", s5_lhokseumawe.build),
    ("Kota Malang employers", story.employers),
    ("S6 Kab. Malang villages", s6_sponsorship.build),
]


class DemoError(Exception):
    """The demo cannot be loaded as asked (regions missing, usernames taken, demo rows referenced)."""


@dataclass
class DemoResult:
    created: bool  # False: a demo was already there and nothing changed
    seed: int
    scale: float
    counts: dict[str, int]
    loaded_at: dt.datetime | None = None
    logins: list[actors.Login] = field(default_factory=lambda: list(actors.LOGINS))


def _quiet(label: str, count: int | None) -> None:
    pass


def demo_present() -> AuditEvent | None:
    """The audit event of the load that made the demo data now in the database; None if there is none."""
    if not Employer.objects.filter(npp__startswith=f.NPP_PREFIX).exists():
        return None
    return AuditEvent.objects.filter(action="demo_load").order_by("-at", "-id").first() or AuditEvent(
        action="demo_load", changes={}
    )


def demo_load(
    *, seed: int = f.DEFAULT_SEED, scale: float = 1.0, reset: bool = False, progress: Progress | None = None
) -> DemoResult:
    """Load the demo data set; if one is there already, change nothing unless `reset` (then rebuild it)."""
    say = progress or _quiet
    if not (isinstance(scale, int | float) and 0 < scale <= f.MAX_SCALE):
        raise InvalidInput.single("scale", _("The scale must be above 0 and at most 10."))
    if not isinstance(seed, int) or seed < 0:
        raise InvalidInput.single("seed", _("The seed is a whole number, 0 or more."))
    districts = _districts()
    existing = demo_present()
    if existing is not None and not reset:
        changes: dict[str, Any] = existing.changes
        return DemoResult(
            created=False,
            seed=changes.get("seed", seed),
            scale=changes.get("scale", scale),
            counts=changes.get("counts", {}),
            loaded_at=existing.at,
        )
    with transaction.atomic():
        if reset:
            for label, count in demo_delete().items():
                say(f"removed {label}", count)
        taken = list(User.objects.filter(username__in=actors.USERNAMES).values_list("username", flat=True))
        if taken:
            raise DemoError(
                f"These usernames exist already: {', '.join(sorted(taken))}. "
                "`cakupan demo load --reset` replaces them."
            )
        offices = actors.offices_upsert()
        say("branch offices", len({o.pk for o in offices.values()}))
        agencies = actors.agencies_ensure()
        say("partner agencies", len(agencies))

        pop = Population(seed=seed, scale=scale, districts=districts, offices=offices)
        built: dict[str, Any] = {}
        for label, build in SCENARIOS:
            before = len(pop.rows.persons)
            built[label] = build(pop)
            say(f"{label}: persons built", len(pop.rows.persons) - before)
        batang: Employer = built["S2 Batang"]
        kota_malang: s4_kota_malang.KotaMalang = built["S4 Kota Malang"]
        _avoid_existing(pop)

        rows = pop.rows
        for label, model, objs in (
            ("employers", Employer, rows.employers),
            ("sponsors", Sponsor, rows.sponsors),
            ("persons", Person, rows.persons),
            ("employments", Employment, rows.employments),
            ("memberships", Membership, rows.memberships),
        ):
            _insert(model, objs, label, say)
        # The coverage story: Kota Malang grown to its 43.4 %, workforce figures, targets, snapshots.
        grown = story.grow_kota_malang(
            scale=scale, employer_ids=[e.pk for e in built["Kota Malang employers"]], say=say
        )
        # The rows above bypassed the services (bulk_create, raw SQL): their scope keys at once.
        scope_keys_rebuild()
        _analyze(Employer, Person, Employment, Membership, PersonAudience)
        coverage = story.coverage_build(say=say)
        users = actors.users_create(
            offices=offices,
            agencies=agencies,
            employers={e.name: e for e in (batang, kota_malang.hospital)},
            sponsors={s.name: s for s in (kota_malang.apbd, kota_malang.csr)},
            persons={actors.DRIVER: kota_malang.driver, actors.NURSE: kota_malang.nurse},
        )
        say("users", len(users))
        # The Batang labour agency's workforce report matched with the registry (compliance services).
        compliance = s2_compliance.compliance_load(scale=scale, users=users, say=say)
        # Bills of the last months, mostly paid: bills, arrears and the homes look like a working office.
        billed = billing.billing_load(say=say)
        _analyze(Bill, BillLine, Payment, Allocation)
        # Funded periods, villages, a candidate list and runway alerts (sponsorship services, issue 15).
        sponsorship = s6_sponsorship.sponsorship_load(
            users=users, built=built["S6 Kab. Malang villages"], say=say
        )
        # Field agents in Kab. Malang: a month of synced enrolments and collections (issue 17).
        field_counts = s9_field.field_load(users=users, scale=scale, say=say, seed=seed)
        counts = {
            "branch_offices": len({o.pk for o in offices.values()}),
            "partner_agencies": len(agencies),
            "employers": len(rows.employers),
            "sponsors": len(rows.sponsors),
            "persons": len(rows.persons) + grown["persons"] + field_counts["field_enrolments"],
            "employments": len(rows.employments) + grown["employments"],
            "memberships": len(rows.memberships) + grown["memberships"] + field_counts["field_enrolments"],
            "users": len(users),
            "snapshot_months": coverage["periods"],
            **compliance,
            **billed,
            **sponsorship,
            **field_counts,
        }
        event = audit_record(
            actor=None,
            action="demo_load",
            entity="demo",
            entity_id=str(seed),
            changes={
                "seed": seed,
                "scale": scale,
                "reset": reset,
                "counts": counts,
                "article_figures": f.ARTICLE_FIGURES,
            },
        )
    return DemoResult(created=True, seed=seed, scale=scale, counts=counts, loaded_at=event.at)


def _analyze(*models: type[Model]) -> None:
    """Refresh PostgreSQL's statistics of the tables just filled. The planner still sees them as they were
    before the load (autovacuum analyses later, or never in a test database), and plans for near-empty
    tables go badly wrong: at scale 1 the Batang match took 35 s instead of 0.2 s."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _districts() -> dict[str, list[str]]:
    """The districts of every regency the demo uses; says how to fix it when regions are not loaded."""
    regencies = set(
        Region.objects.filter(code__in=f.REQUIRED_REGENCIES, level=2).values_list("code", flat=True)
    )
    districts: dict[str, list[str]] = {}
    for parent, code in Region.objects.filter(level=3, parent_id__in=f.RESIDENCE_REGENCIES).values_list(
        "parent_id", "code"
    ):
        districts.setdefault(parent, []).append(code)
    missing = sorted((set(f.REQUIRED_REGENCIES) - regencies) | (set(f.RESIDENCE_REGENCIES) - set(districts)))
    if missing:
        raise DemoError(
            f"Regions are missing ({', '.join(missing)}): run `cakupan regions load` first, "
            "then `cakupan demo load`."
        )
    return {code: sorted(codes) for code, codes in districts.items()}


def _chunks(items: list[_M], size: int = BATCH) -> Iterator[list[_M]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _clashes(model: type[_M], column: str, objs: list[_M]) -> list[_M]:
    """The objects whose `column` value another row in the database holds already (one query)."""
    values = [getattr(obj, column) for obj in objs]
    taken = set(model._default_manager.filter(**{f"{column}__in": values}).values_list(column, flat=True))
    return [obj for obj in objs if getattr(obj, column) in taken]


def _avoid_existing(pop: Population) -> None:
    """Keep clear of NIK, KPJ and NIB numbers that other rows in the database hold (one query per batch;
    in a fresh database there are none, so nothing changes and the seed still decides every number)."""
    for persons in _chunks(pop.rows.persons):
        while clashes := _clashes(Person, "nik", persons):
            for person in clashes:
                pop.renumber_nik(person)
    for memberships in _chunks(pop.rows.memberships):
        while taken_kpj := _clashes(Membership, "kpj", memberships):
            for membership in taken_kpj:
                membership.kpj = pop.new_kpj()
    while taken_nib := _clashes(Employer, "nib", [e for e in pop.rows.employers if e.nib]):
        for employer in taken_nib:
            employer.nib = pop.new_nib()


def _insert(model: type[Model], objs: list[Any], label: str, say: Progress) -> None:
    """Bulk insert in batches; progress every ten batches and at the end."""
    for number, batch in enumerate(_chunks(objs), start=1):
        model._default_manager.bulk_create(batch, batch_size=BATCH)
        done = min(number * BATCH, len(objs))
        if number % 10 == 0 or done == len(objs):
            say(f"{label} written", done)
    if not objs:
        say(f"{label} written", 0)


@transaction.atomic
def demo_delete() -> dict[str, int]:
    """Remove what a demo load wrote: the Batang workforce report with its findings and review items, and the
    cases on it or on demo employers; its logins; employers with a demo NPP and the demo sponsors, with their
    employment and memberships; persons with a demo family name, with theirs. Branch offices and partner
    agencies stay (loading updates them in place). Refuses when other records still refer to demo rows."""
    employers = Employer.objects.filter(npp__startswith=f.NPP_PREFIX)
    # Ids now: the village sponsors are recognised by their village rows, which go first.
    sponsors = Sponsor.objects.filter(
        pk__in=list(Sponsor.objects.filter(s6_sponsorship.demo_sponsors()).values_list("pk", flat=True))
    )
    named = Q()
    for surname in f.SURNAMES:
        named |= Q(full_name__endswith=f" {surname}")
    persons = Person.objects.filter(named)
    reports = WorkforceReport.objects.filter(file_name=s2_compliance.REPORT_FILE)
    cases = Case.objects.filter(
        pk__in=Case.objects.filter(
            Q(employer__in=employers) | Q(findings__reported__report__in=reports)
        ).values("pk")
    )
    memberships = Membership.objects.filter(
        Q(person__in=persons) | Q(employer__in=employers) | Q(sponsor__in=sponsors)
    )
    accounts = PayerAccount.objects.filter(
        Q(employer__in=employers) | Q(person__in=persons) | Q(sponsor__in=sponsors)
    )
    payments = Payment.objects.filter(
        Q(account__in=accounts) | Q(reference__startswith=billing.REFERENCE_PREFIX)
    )
    lines = BillLine.objects.filter(membership__in=memberships)
    runs = list(BillingRun.objects.filter(bills__lines__in=lines).values_list("pk", flat=True).distinct())
    deleted: dict[str, int] = {}
    try:
        deleted.update(s9_field.field_delete())
        deleted.update(s6_sponsorship.sponsorship_delete(sponsors))
        for label, queryset in (
            (
                "allocations",
                Allocation.objects.filter(Q(payment__in=payments) | Q(bill__account__in=accounts)),
            ),
            ("payments", payments),
            ("bill lines", lines),
            # The demo payers' bills, and the state budget's bills left without a line.
            ("bills", Bill.objects.filter(Q(account__in=accounts) | Q(run_id__in=runs, lines__isnull=True))),
            ("payer accounts", accounts),
            ("billing runs", BillingRun.objects.filter(pk__in=runs, bills__isnull=True)),
            ("compliance cases", cases),
            ("workforce reports", reports),
            ("users", User.objects.filter(username__in=actors.USERNAMES)),
            ("memberships", memberships),
            ("employments", Employment.objects.filter(Q(person__in=persons) | Q(employer__in=employers))),
            ("persons", persons),
            ("sponsors", sponsors),
            ("employers", employers),
        ):
            deleted[label] = queryset.delete()[1].get(queryset.model._meta.label, 0)
    except ProtectedError as exc:
        raise DemoError(
            "Other records refer to the demo data, so it cannot be removed; start from a fresh database "
            f"instead ({exc.args[0]})"
        ) from exc
    scope_keys_rebuild()  # persons who stay lost jobs and memberships at demo employers
    return deleted
