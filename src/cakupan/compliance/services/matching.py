"""Matching a workforce report against the registry, and classifying each reported employer.

Identification, in order: exact NPP, exact NIB (one join in SQL), a name decision a person already made
(review queue), then the normalised name within the same regency (here, in Python: difflib). Everything
else is set-based in SQL (services/findings.py): a constant number of statements per run, whatever its size.
"""
# ruff: noqa: S608 - SQL text built from constants and the Scope of services/findings.py; values are parameters

from __future__ import annotations

import difflib
import itertools
from collections.abc import Generator
from typing import Any

from django.db import connection, transaction

from cakupan.accounts.permissions import Perm, require
from cakupan.compliance.models import Finding, FindingClass, MatchRun, ReviewItem, WorkforceReport
from cakupan.compliance.services.findings import (
    EMPLOYER,
    REPORTED,
    Scope,
    figures_compute,
    findings_insert,
    ident_add,
    ident_exact,
    ident_rest,
    phase,
    work_tables,
)
from cakupan.core.audit import audit_record
from cakupan.core.db import deferred_checks_now
from cakupan.core.sqlnames import table

# Scores are difflib ratios of normalised names (0-1). At or above AUTO with a single such candidate the
# match is taken; between REVIEW and AUTO (or two candidates above AUTO) a person decides.
AUTO = 0.93
REVIEW = 0.75
_LEGAL = {"pt", "cv", "tbk", "persero", "perseroan", "terbatas", "ud", "fa", "firma", "koperasi", "yayasan"}


# Every byte but 0-9 and a-z to a space; characters outside ASCII become "?" first, so a space too.
_SPACES = bytes(
    c if chr(c).isascii() and chr(c) in "0123456789abcdefghijklmnopqrstuvwxyz" else 32 for c in range(256)
)


def name_key(name: str) -> str:
    """Lower case, punctuation to spaces, legal forms dropped: "PT. Maju-Jaya, Tbk" → "maju jaya". (A byte
    table rather than a regular expression: the registry's names are keyed by the hundred thousand.)"""
    words = name.lower().encode("ascii", "replace").translate(_SPACES).decode("ascii").split()
    return " ".join([w for w in words if w not in _LEGAL])


def similarity(a: str, b: str) -> float:
    total = len(a) + len(b)
    if total and 2 * min(len(a), len(b)) / total < REVIEW:  # difflib's real_quick_ratio, without the matcher
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < REVIEW or matcher.quick_ratio() < REVIEW:
        return 0.0
    return round(matcher.ratio(), 4)


# Above this many registered employers in a regency, names are compared only with those sharing a word that
# is not common in the regency (blocking): all-pairs difflib is quadratic and a report of 100,000 unknown
# employers against thousands per regency would take hours.
BLOCK_MIN = 64
COMMON_SHARE = 0.05


class RegencyPool:
    """The registered employers of one regency with their normalised names. Only the words of the names to
    be matched (`wanted`) are indexed: the others are never looked up."""

    def __init__(self, employers: list[tuple[int, str]], wanted: set[str]) -> None:
        self.pool = [(name_key(name), eid) for eid, name in employers]
        self.ids = {eid for eid, _name in employers}
        self.words: dict[str, list[int]] | None = None
        if len(self.pool) > BLOCK_MIN:
            self.words = {word: [] for word in wanted}
            for n, (key, _eid) in enumerate(self.pool):
                for word in set(key.split()) & wanted:
                    self.words[word].append(n)

    def candidates(self, key: str) -> list[tuple[str, int]]:
        if self.words is None:
            return self.pool
        common = max(BLOCK_MIN, int(len(self.pool) * COMMON_SHARE))
        postings = [self.words.get(w, []) for w in set(key.split())]
        rare = [p for p in postings if len(p) <= common] or postings
        return [self.pool[n] for n in sorted({n for p in rare for n in p})]


def _pools(scope: Scope) -> Generator[tuple[str, list[tuple[int, str]]], None, None]:
    """The regencies of the rows left to the name matcher, one at a time: one streamed query (a server-side
    cursor on PostgreSQL), so a run holds a single regency's employers in memory."""
    sql = (
        f"SELECT substr(e.region_id, 1, 5) AS regency, e.id, e.name FROM {EMPLOYER} e "
        "WHERE substr(e.region_id, 1, 5) IN (SELECT substr(r.region_id, 1, 5) "
        f"FROM {REPORTED} r LEFT JOIN cmp_ident i ON i.reported_id = r.id "
        f"WHERE {scope.where} AND i.reported_id IS NULL) ORDER BY regency, e.id"
    )
    with connection.chunked_cursor() as c:
        c.execute(sql, scope.params)
        rows = itertools.chain.from_iterable(iter(lambda: c.fetchmany(10_000), []))
        for regency, group in itertools.groupby(rows, key=lambda row: row[0]):
            yield regency, [(eid, name) for _r, eid, name in group]


def _decisions(scope: Scope) -> dict[tuple[str, str], dict[int, str]]:
    """Review decisions already made for the names of the rows left to the name matcher."""
    decided: dict[tuple[str, str], dict[int, str]] = {}
    with connection.cursor() as c:
        c.execute(
            f"SELECT q.name_key, q.regency, q.candidate_id, q.status FROM {table(ReviewItem)} q "
            f"WHERE q.status <> %s AND EXISTS (SELECT 1 FROM {REPORTED} r "
            "LEFT JOIN cmp_ident i ON i.reported_id = r.id "
            f"WHERE {scope.where} AND i.reported_id IS NULL "
            "AND r.name_key = q.name_key AND substr(r.region_id, 1, 5) = q.regency)",
            (ReviewItem.Status.PENDING, *scope.params),
        )
        for key, regency, candidate, status in c.fetchall():
            decided.setdefault((key, regency), {})[candidate] = status
    return decided


def names_identify(scope: Scope) -> list[ReviewItem]:
    """The rows without an exact key, by name within their regency; returns the review items to create."""
    rest = ident_rest(scope)
    if not rest:
        return []
    decided = _decisions(scope)
    answers: list[tuple[int, int | None, str, float | None]] = []
    reviews: list[ReviewItem] = []
    stream = _pools(scope)
    # Both are in the database's order of regencies, and the pools' regencies are among the rows': a
    # regency of the rows that is not the next pool's has no registered employer.
    upcoming = next(stream, None)
    for regency, group in itertools.groupby(rest, key=lambda row: row[2]):
        rows = list(group)
        employers: list[tuple[int, str]] = []
        if upcoming is not None and upcoming[0] == regency:
            employers, upcoming = upcoming[1], next(stream, None)
        pool = RegencyPool(employers, {word for _rid, key, _r in rows for word in key.split()})
        for rid, key, _regency in rows:
            decisions = decided.get((key, regency), {})
            confirmed = [
                i for i, s in decisions.items() if s == ReviewItem.Status.CONFIRMED and i in pool.ids
            ]
            if confirmed:
                answers.append((rid, confirmed[0], "review", None))
                continue
            scored = sorted(
                (
                    (score, eid)
                    for other, eid in pool.candidates(key)
                    if decisions.get(eid) != ReviewItem.Status.REJECTED
                    and (score := similarity(key, other)) >= REVIEW
                ),
                key=lambda pair: -pair[0],
            )
            if scored and scored[0][0] >= AUTO and (len(scored) == 1 or scored[1][0] < AUTO):
                answers.append((rid, scored[0][1], "name", scored[0][0]))
            elif scored:
                answers.append((rid, None, "review", scored[0][0]))
                reviews += [
                    ReviewItem(reported_id=rid, candidate_id=eid, name_key=key, regency=regency, score=score)
                    for score, eid in scored[:5]
                ]
            else:
                answers.append((rid, None, "none", None))
    stream.close()
    ident_add(answers)
    return reviews


def identify_and_compute(scope: Scope) -> list[ReviewItem]:
    """Fill the work tables of `scope` (inside work_tables()): identification, then every figure."""
    with phase("exact keys"):
        ident_exact(scope)
    with phase("names"):
        reviews = names_identify(scope)
    figures_compute(scope)
    return reviews


def run_totals(run_id: int) -> tuple[dict[str, int], int]:
    counts = dict.fromkeys(FindingClass.values, 0)
    total = 0
    with connection.cursor() as c:
        c.execute(
            f"SELECT klass, COUNT(*), COALESCE(SUM(gap), 0) FROM {table(Finding)} "
            "WHERE run_id = %s GROUP BY klass",
            [run_id],
        )
        for klass, n, gap in c.fetchall():
            counts[klass] = n
            total += int(gap)  # SUM of BIGINT is NUMERIC on PostgreSQL
    return counts, total


@transaction.atomic
def compliance_match_run(*, actor: Any, report: WorkforceReport) -> MatchRun:
    """Match every employer of `report` and record a finding for each; close the cases the match shows
    closed (services/cases.py). Returns the run with its counts by class and total monthly gap."""
    require(actor, Perm.WORKFORCE_REPORT_IMPORT)
    run = MatchRun.objects.create(report=report, run_by=actor if getattr(actor, "pk", None) else None)
    with work_tables():
        reviews = identify_and_compute(Scope.report(report.pk))
        ReviewItem.objects.bulk_create(reviews, batch_size=2000, ignore_conflicts=True)
        with phase("findings"):
            findings_insert(run.pk)
    with phase("totals and cases"):
        run.counts, run.total_gap = run_totals(run.pk)
        run.save(update_fields=["counts", "total_gap"])
        from cakupan.compliance.services.cases import cases_close_by_run

        cases_close_by_run(run=run)
    audit_record(actor=actor, action="compliance.match", instance=run, changes={"counts": run.counts})
    with phase("constraints"):  # the foreign keys of a million findings, else checked at COMMIT
        deferred_checks_now()
    return run
