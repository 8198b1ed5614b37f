"""Matching a workforce report against the registry, and classifying each reported employer.

Identification, in order: exact NPP, exact NIB, a name decision a person already made (review queue), then
the normalised name within the same regency. Set-based: the registry is read in bulk into dicts (a few
queries per 5,000 employers) and the findings are written with bulk_create.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from cakupan.compliance.models import (
    Finding,
    FindingClass,
    MatchRun,
    ReportedEmployer,
    ReportedWorker,
    ReviewItem,
    WorkforceReport,
)
from cakupan.compliance.sanctions import sanction_tables
from cakupan.compliance.services._common import IMPORTERS, chunks, require_role
from cakupan.compliance.services.gap import UNKNOWN_RISK_CLASS, Pricer, Registered, registry_figures
from cakupan.core.audit import audit_record
from cakupan.regions.models import BranchOffice
from cakupan.registry.models import Employer

# Scores are difflib ratios of normalised names (0-1). At or above AUTO with a single such candidate the
# match is taken; between REVIEW and AUTO (or two candidates above AUTO) a person decides.
AUTO = 0.93
REVIEW = 0.75
_LEGAL = {"pt", "cv", "tbk", "persero", "perseroan", "terbatas", "ud", "fa", "firma", "koperasi", "yayasan"}
EMPLOYER_FIELDS = ("id", "npp", "nib", "name", "region_id", "branch_office_id", "risk_class")


def name_key(name: str) -> str:
    """Lower case, punctuation to spaces, legal forms dropped: "PT. Maju-Jaya, Tbk" → "maju jaya"."""
    words = re.sub(r"[^0-9a-z]+", " ", name.lower()).split()
    return " ".join(w for w in words if w not in _LEGAL)


def similarity(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < REVIEW or matcher.quick_ratio() < REVIEW:
        return 0.0
    return round(matcher.ratio(), 4)


@dataclass
class Identified:
    employer: dict[str, Any] | None
    method: str
    score: float | None = None
    candidates: tuple[tuple[int, float], ...] = ()  # for the review queue


def _by_keys(field: str, values: set[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted(values)):
        for row in Employer.objects.filter(**{f"{field}__in": part}).values(*EMPLOYER_FIELDS):
            out[row[field]] = row
    return out


def exact_keys(report: WorkforceReport) -> dict[int, tuple[str, int]]:
    """Each reported row identified by NPP, else NIB: one set-based join for the whole report (the registry's
    NIB has no index, so IN lists per chunk would scan it again and again)."""
    reported, employer = ReportedEmployer._meta.db_table, Employer._meta.db_table
    out: dict[int, tuple[str, int]] = {}
    with connection.cursor() as c:
        for key in ("nib", "npp"):  # NPP second: it wins over NIB
            c.execute(
                f"SELECT r.id, e.id FROM {reported} r JOIN {employer} e ON e.{key} = r.{key} "  # noqa: S608
                f"WHERE r.report_id = %s AND r.{key} <> ''",
                [report.pk],
            )
            while batch := c.fetchmany(20_000):
                for rid, eid in batch:
                    out[rid] = (key, eid)
    return out


def _employers(ids: set[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for part in chunks(sorted(ids)):
        for row in Employer.objects.filter(pk__in=part).values(*EMPLOYER_FIELDS):
            out[row["id"]] = row
    return out


# Above this many registered employers in a regency, names are compared only with those sharing a word that
# is not common in the regency (blocking): all-pairs difflib is quadratic and a report of 100,000 unknown
# employers against thousands per regency would take hours.
BLOCK_MIN = 64
COMMON_SHARE = 0.05


class NamePool:
    """Registered employers by regency with their normalised names, read once per regency per run."""

    def __init__(self) -> None:
        self.by_regency: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.words: dict[str, dict[str, list[int]]] = {}
        self.by_id: dict[int, dict[str, Any]] = {}

    def load(self, regencies: set[str]) -> None:
        todo = sorted(regencies - self.by_regency.keys())
        for code in todo:
            self.by_regency[code] = []
        for part in chunks(todo):
            found = Employer.objects.filter(Q(region_id__in=part) | Q(region__parent_id__in=part))
            for row in found.values(*EMPLOYER_FIELDS):
                self.by_regency[row["region_id"][:5]].append((name_key(row["name"]), row))
                self.by_id[row["id"]] = row
        for code in todo:
            pool = self.by_regency[code]
            if len(pool) > BLOCK_MIN:
                index: dict[str, list[int]] = {}
                for n, (key, _row) in enumerate(pool):
                    for word in set(key.split()):
                        index.setdefault(word, []).append(n)
                self.words[code] = index

    def candidates(self, regency: str, key: str) -> list[tuple[str, dict[str, Any]]]:
        pool = self.by_regency.get(regency, [])
        index = self.words.get(regency)
        if index is None:
            return pool
        common = max(BLOCK_MIN, int(len(pool) * COMMON_SHARE))
        postings = [index.get(w, []) for w in set(key.split())]
        rare = [p for p in postings if len(p) <= common] or postings
        return [pool[n] for n in sorted({n for p in rare for n in p})]


def identify(
    rows: list[dict[str, Any]],
    exact: dict[int, tuple[str, int]] | None = None,
    names: NamePool | None = None,
) -> dict[int, Identified]:
    """Each reported row's registered employer (or none), keyed by the reported row's id. `exact` (from
    exact_keys) and `names` are given by a whole run; without them they are read for these rows."""
    result: dict[int, Identified] = {}
    rest: list[dict[str, Any]] = []
    if exact is None:
        by_npp = _by_keys("npp", {r["npp"] for r in rows if r["npp"]})
        by_nib = _by_keys("nib", {r["nib"] for r in rows if r["nib"]})
        for r in rows:
            if r["npp"] in by_npp:
                result[r["id"]] = Identified(by_npp[r["npp"]], "npp", 1.0)
            elif r["nib"] in by_nib:
                result[r["id"]] = Identified(by_nib[r["nib"]], "nib", 1.0)
            else:
                rest.append(r)
    else:
        employers = _employers({exact[r["id"]][1] for r in rows if r["id"] in exact})
        for r in rows:
            if r["id"] in exact:
                method, eid = exact[r["id"]]
                result[r["id"]] = Identified(employers[eid], method, 1.0)
            else:
                rest.append(r)
    if not rest:
        return result
    names = names or NamePool()
    names.load({r["region_id"][:5] for r in rest})
    by_id = names.by_id
    decided: dict[tuple[str, str], dict[int, str]] = {}
    keys = sorted({r["name_key"] for r in rest})
    for part in chunks(keys):
        done = ReviewItem.objects.filter(name_key__in=part).exclude(status=ReviewItem.Status.PENDING)
        for item in done.values("name_key", "regency", "candidate_id", "status"):
            decided.setdefault((item["name_key"], item["regency"]), {})[item["candidate_id"]] = item["status"]
    for r in rest:
        regency = r["region_id"][:5]
        decisions = decided.get((r["name_key"], regency), {})
        confirmed = [i for i, s in decisions.items() if s == ReviewItem.Status.CONFIRMED and i in by_id]
        if confirmed:
            result[r["id"]] = Identified(by_id[confirmed[0]], "review", None)
            continue
        scored = sorted(
            (
                (similarity(r["name_key"], key), emp)
                for key, emp in names.candidates(regency, r["name_key"])
                if decisions.get(emp["id"]) != ReviewItem.Status.REJECTED
            ),
            key=lambda pair: -pair[0],
        )
        scored = [(s, e) for s, e in scored if s >= REVIEW]
        if scored and scored[0][0] >= AUTO and (len(scored) == 1 or scored[1][0] < AUTO):
            result[r["id"]] = Identified(scored[0][1], "name", scored[0][0])
        elif scored:
            result[r["id"]] = Identified(
                None, "review", scored[0][0], tuple((e["id"], s) for s, e in scored[:5])
            )
        else:
            result[r["id"]] = Identified(None, "none")
    return result


def _branch_by_regency(regencies: set[str]) -> dict[str, int]:
    through = BranchOffice.regions.through.objects.filter(region_id__in=sorted(regencies))
    return {
        row["region_id"]: row["branchoffice_id"] for row in through.values("region_id", "branchoffice_id")
    }


def classify(
    r: dict[str, Any], found: Identified, reg: Registered | None, listed: dict[str, int], pricer: Pricer
) -> dict[str, Any]:
    """The class, figures and gap of one reported employer (the formula: services/gap.py)."""
    tables = sanction_tables()
    required = tables.mandatory[r["size_class"]].value
    reported, period = r["reported_workers"], r["period"]
    w = r["reported_wages"] // reported if reported else 0
    out: dict[str, Any] = {"klass": FindingClass.COMPLIANT, "missing_programmes": []}
    if found.employer is None:
        klass = FindingClass.REVIEW if found.method == "review" else FindingClass.PWBD
        gap = reported * sum(pricer.price(period, w, UNKNOWN_RISK_CLASS, required).values())
        if klass == FindingClass.REVIEW:
            gap = 0  # not priced until a person says who it is
        out.update(
            klass=klass, missing_workers=reported, gap_workers=gap, gap=gap, missing_niks=sorted(listed)
        )
        return out
    reg = reg or Registered()
    risk = found.employer["risk_class"]
    members = reg.members
    missing = max(0, reported - members)
    r_avg = reg.wages // members if members else 0
    full = sum(pricer.price(period, w, risk, required).values())
    gap_workers = missing * full
    covered = min(members, reported)
    gap_wages = 0
    if members and r_avg < w:
        gap_wages = covered * (full - sum(pricer.price(period, r_avg, risk, required).values()))
    lacking = {p: members - reg.with_programme.get(p, 0) for p in required} if members else {}
    base = pricer.price(period, min(r_avg, w), risk, required) if members else {}
    gap_programmes = sum(n * base.get(p, 0) for p, n in lacking.items())
    klass = FindingClass.COMPLIANT
    if gap_programmes > 0 or any(lacking.values()):
        klass = FindingClass.PDS_PROGRAMMES
    if gap_wages > 0:
        klass = FindingClass.PDS_WAGES
    if missing > 0:
        klass = FindingClass.PDS_WORKERS
    out.update(
        klass=klass,
        registered_workers=members,
        registered_wages=reg.wages,
        missing_workers=missing,
        missing_programmes=[p for p, n in lacking.items() if n > 0],
        gap_workers=gap_workers,
        gap_wages=gap_wages,
        gap_programmes=gap_programmes,
        gap=gap_workers + gap_wages + gap_programmes,
        missing_niks=sorted(n for n in listed if n not in reg.niks),
        underwaged_niks=sorted(n for n, wage in listed.items() if n in reg.niks and reg.niks[n] < wage),
    )
    return out


# Reported employers matched per slice: bounds the memory of a run (rows, worker lists, findings) whatever
# the size of the report.
SLICE = 10_000


@transaction.atomic
def compliance_match_run(*, actor: Any, report: WorkforceReport) -> MatchRun:
    """Match every employer of `report` and record a finding for each; close the cases the match shows
    closed (services/cases.py). Returns the run with its counts by class and total monthly gap."""
    require_role(actor, IMPORTERS)
    run = MatchRun.objects.create(report=report, run_by=actor if getattr(actor, "pk", None) else None)
    exact = exact_keys(report)
    names = NamePool()
    pricer = Pricer()
    branches: dict[str, int] = {}
    counts = dict.fromkeys(FindingClass.values, 0)
    total = 0
    last = 0
    employers = ReportedEmployer.objects.filter(report=report).order_by("id")
    while True:
        rows: list[dict[str, Any]] = [dict(r) for r in employers.filter(id__gt=last).values()[:SLICE]]
        if not rows:
            break
        last = rows[-1]["id"]
        listed: dict[int, dict[str, int]] = {}
        workers = ReportedWorker.objects.filter(
            employer__report=report, employer_id__gte=rows[0]["id"], employer_id__lte=last
        )
        for employer_id, nik, wage in workers.values_list("employer_id", "nik", "wage").order_by():
            listed.setdefault(employer_id, {})[nik] = wage
        findings, reviews = _match_slice(run, rows, listed, exact, names, pricer, branches)
        _write_findings(findings)
        ReviewItem.objects.bulk_create(reviews, batch_size=2000, ignore_conflicts=True)
        for finding in findings:
            counts[finding["klass"]] += 1
            total += finding["gap"]
    run.counts = counts
    run.total_gap = total
    run.save(update_fields=["counts", "total_gap"])
    from cakupan.compliance.services.cases import cases_close_by_run

    cases_close_by_run(run=run)
    audit_record(actor=actor, action="compliance.match", instance=run, changes={"counts": counts})
    return run


def _match_slice(
    run: MatchRun,
    rows: list[dict[str, Any]],
    listed: dict[int, dict[str, int]],
    exact: dict[int, tuple[str, int]],
    names: NamePool,
    pricer: Pricer,
    branches: dict[str, int],
) -> tuple[list[dict[str, Any]], list[ReviewItem]]:
    found = identify(rows, exact, names)
    matched = {f.employer["id"]: r["id"] for r in rows if (f := found[r["id"]]).employer}
    figures = registry_figures(sorted(matched), with_niks={e for e, rid in matched.items() if rid in listed})
    regencies = {r["region_id"][:5] for r in rows} - branches.keys()
    if regencies:
        branches.update(_branch_by_regency(regencies))
        branches.update({code: 0 for code in regencies if code not in branches})
    findings: list[dict[str, Any]] = []
    reviews: list[ReviewItem] = []
    for r in rows:
        f = found[r["id"]]
        emp = f.employer
        figures_of = figures.get(emp["id"]) if emp else None
        values = classify(r, f, figures_of, listed.get(r["id"], {}), pricer)
        findings.append(
            dict(
                run_id=run.pk,
                reported_id=r["id"],
                employer_id=emp["id"] if emp else None,
                region_id=(emp["region_id"] if emp else r["region_id"])[:5],  # the regency: scope, dashboard
                branch_office_id=emp["branch_office_id"] if emp else branches[r["region_id"][:5]] or None,
                kbli=r["kbli"],
                method=f.method,
                score=f.score,
                **values,
            )
        )
        reviews += [
            ReviewItem(
                reported_id=r["id"],
                candidate_id=cid,
                name_key=r["name_key"],
                regency=r["region_id"][:5],
                score=score,
            )
            for cid, score in f.candidates
        ]
    return findings, reviews


def _write_findings(findings: list[dict[str, Any]]) -> None:
    """On PostgreSQL by COPY: building a model instance per finding cost more than the whole match (a
    million findings per report); elsewhere bulk_create. The defaults of the model apply to both."""
    if connection.vendor != "postgresql":
        Finding.objects.bulk_create([Finding(**f) for f in findings], batch_size=2000)
        return
    fields = [f for f in Finding._meta.concrete_fields if not f.primary_key]
    names = ", ".join(connection.ops.quote_name(f.column or f.name) for f in fields)
    defaults = {f.attname: f.get_default() for f in fields}
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    sql = f"COPY {Finding._meta.db_table} ({names}) FROM STDIN"
    with connection.cursor() as c, c.cursor.copy(sql) as copy:
        for finding in findings:
            row = {**defaults, **finding}
            copy.write_row(
                [json.dumps(row[a]) if a in json_fields else row[a] for a in (f.attname for f in fields)]
            )
