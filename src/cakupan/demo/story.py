"""The coverage story of the articles on top of the registry rows: Kota Malang at 43.4 %, Malang branch's
2020 targets, the workforce figures, and the monthly snapshots the dashboard reads.

Kota Malang's rate (scenarios.md S4): 43.4 % of the 436,742 employed persons BPS counted in August 2024
(rules.md §11.7) is 189,546 active participants in the demo period, far more than the scenario rows. The
difference is generated set-based, in SQL (one INSERT ... SELECT per table from a numbers table), as
formal workers of ordinary Kota Malang employers and self-paying informal workers, with start dates spread
from 2019 so the time series grows. Every generated row follows the registry's rules: a valid NIK whose
date matches the birth date, an employment behind each PU membership, a fictitious "... Contoh" name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.utils import timezone

from cakupan.coverage.models import CoverageSnapshot, CoverageTarget, WorkforceStat
from cakupan.coverage.services.snapshots import snapshot_build
from cakupan.coverage.services.workforce import workforce_load_bps
from cakupan.regions.models import BranchOffice, Region
from cakupan.registry.models import Employer

from . import figures as f
from .people import Population

Say = Callable[[str, int | None], None]

KOTA_MALANG_ACTIVE = 189_546  # 43.4 % of 436,742 (BPS Kota Malang, Sakernas August 2024)
DEMO_PERIOD = "2025-10"  # the last full month before figures.AS_OF
# The snapshots built: the last twelve months to the demo period, and the second half of 2020 (Malang
# branch's 2020 targets).
PERIODS = (
    [f"2020-{m:02d}" for m in range(7, 13)]
    + [f"2024-{m:02d}" for m in (11, 12)]
    + [f"2025-{m:02d}" for m in range(1, 11)]
)
MALANG_TARGETS_2020 = (("", 234_000), ("BPU", 45_000))  # scenarios.md S1 (Malang branch, 2020)
EMPLOYERS = 60
START_MONTHS = 82  # January 2019 .. October 2025
PU_SHARE_OF_20 = 17  # 85 % formal (PU), 15 % self-paying informal (BPU)
NIK_SERIAL_BASE = 5000  # the scenario rows use low serials; these never meet them
KBLIS = ("47111", "56101", f.KBLI_GARMENT, f.KBLI_WAREHOUSING, f.KBLI_PLASTIC_PACKAGING)

# Synthetic employed persons (thousands) where BPS figures are not shipped: rough orders of magnitude for
# the demo only, stored with synthetic=True and shown as such on every page.
SYNTHETIC_REGENCIES = {
    "35.07": 1_450, "35.79": 120, "33.25": 430, "33.26": 480, "33.75": 160, "32.16": 1_650, "11.08": 250,
}  # fmt: skip
SYNTHETIC_PROVINCES = {
    "11": 2_500, "12": 7_400, "13": 2_800, "14": 3_200, "15": 1_800, "16": 4_400, "17": 1_000, "18": 4_500,
    "19": 750, "21": 1_000, "31": 5_000, "32": 24_500, "33": 19_500, "34": 2_300, "35": 22_500,
    "36": 5_700, "51": 2_700, "52": 2_800, "53": 2_700, "61": 2_700, "62": 1_400, "63": 2_100,
    "64": 1_800, "65": 350, "71": 1_300, "72": 1_500, "73": 4_100, "74": 1_300, "75": 600, "76": 700,
    "81": 800, "82": 600, "91": 550, "92": 300, "93": 280, "94": 750, "95": 850, "96": 280,
}  # fmt: skip
SYNTHETIC_SOURCE = "synthetic (demo): an order of magnitude, not a BPS figure"


def employers(pop: Population) -> list[Employer]:
    """Ordinary Kota Malang employers (shops, restaurants, small industry) for the generated PU members."""
    out = []
    for n in range(EMPLOYERS):
        out.append(
            pop.employer(
                name=f"{('PT', 'CV')[n % 2]} Usaha Contoh Malang {n + 1}",
                regency=f.KOTA_MALANG,
                legal_form=("PT", "CV")[n % 2],
                size_class=("kecil", "menengah", "besar")[n % 3],
                kbli=KBLIS[n % len(KBLIS)],
                risk_class=1 + n % 3,
            )
        )
    return out


def _sql(pg: str, lite: str) -> str:
    return pg if connection.vendor == "postgresql" else lite


def _pad(expr: str, width: int) -> str:
    return _sql(
        f"LPAD(CAST(({expr}) AS TEXT), {width}, '0')", f"SUBSTR('{'0' * width}' || ({expr}), -{width})"
    )


def _date(expr: str) -> str:
    return _sql(f"CAST(({expr}) AS DATE)", f"({expr})")


def _active_in(regency: str, period: str) -> int:
    snapshot_build(period=period)
    rows = CoverageSnapshot.objects.filter(period=period, region_id=regency)
    return sum(rows.values_list("active", flat=True))


def grow_kota_malang(*, scale: float, employer_ids: list[int], say: Say) -> dict[str, int]:
    """Generate the members Kota Malang lacks for its rate in DEMO_PERIOD; returns the rows written."""
    wanted = f.scaled(KOTA_MALANG_ACTIVE, scale)
    extra = max(0, wanted - _active_in(f.KOTA_MALANG, DEMO_PERIOD))
    say("Kota Malang: members to generate", extra)
    if extra == 0:
        return {"persons": 0, "employments": 0, "memberships": 0}
    districts = list(
        Region.objects.filter(parent_id=f.KOTA_MALANG, level=3)
        .order_by("code")
        .values_list("code", flat=True)
    )
    nd, ne = len(districts), len(employer_ids)
    district = "CASE n % {nd} {whens} END".format(
        nd=nd, whens=" ".join(f"WHEN {i} THEN '{c}'" for i, c in enumerate(districts))
    )
    employer = "CASE n % {ne} {whens} END".format(
        ne=ne, whens=" ".join(f"WHEN {i} THEN {pk}" for i, pk in enumerate(employer_ids))
    )
    year, month, day = f"1960 + (n / {nd}) % 36", f"1 + (n / {nd * 36}) % 12", f"1 + (n / {nd * 432}) % 28"
    serial = f"{NIK_SERIAL_BASE} + n / {nd * 432 * 28}"
    k = f"n % {START_MONTHS}"
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS demo_grow")
        # Numbers 0..extra-1 by a recursive CTE (both SQLite and PostgreSQL), with each row's attributes;
        # the modulo operator is doubled because the statement has a parameter.
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE demo_grow AS
            WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < %s)
            SELECT n,
                   {district} AS district,
                   REPLACE({district}, '.', '')
                     || {_pad(f"({day}) + CASE WHEN n % 2 = 1 THEN 40 ELSE 0 END", 2)}
                     || {_pad(month, 2)} || {_pad(f"({year}) % 100", 2)} || {_pad(serial, 4)} AS nik,
                   {_pad(year, 4)} || '-' || {_pad(month, 2)} || '-' || {_pad(day, 2)} AS birth,
                   CASE WHEN n % 2 = 1 THEN 'P' ELSE 'L' END AS sex,
                   {_pad(f"2019 + ({k}) / 12", 4)} || '-' || {_pad(f"1 + ({k}) % 12", 2)} || '-01' AS start,
                   CASE WHEN n % 20 < {PU_SHARE_OF_20} THEN 'PU' ELSE 'BPU' END AS segment,
                   {employer} AS employer_id,
                   3400000 + (n % 40) * 100000 AS wage
            FROM seq
            """.replace(" % ", " %% "),  # noqa: S608 - codes and ids from the database, numbers constants
            [extra],
        )
        cursor.execute(
            f"""
            INSERT INTO registry_person (nik, full_name, birth_date, sex, phone, citizenship, nik_warnings,
                                         created_at, updated_at, address_region_id)
            SELECT nik, 'Pekerja Kota ' || n || ' Contoh', {_date("birth")}, sex, '', 'WNI',
                   {_sql("'[]'::jsonb", "'[]'")}, %s, %s, district
            FROM demo_grow
            """,  # noqa: S608
            [now, now],
        )
        persons = cursor.rowcount
        say("Kota Malang: persons generated", persons)
        cursor.execute(
            f"""
            INSERT INTO registry_employment (start_date, end_date, basic_wage, fixed_allowance, occupation,
                                             civil_service, created_at, updated_at, employer_id, person_id)
            SELECT {_date("g.start")}, NULL, g.wage, 0, 'other', 'NON_ASN', %s, %s, g.employer_id, p.id
            FROM demo_grow g JOIN registry_person p ON p.nik = g.nik
            WHERE g.segment = 'PU'
            """,  # noqa: S608
            [now, now],
        )
        employments = cursor.rowcount
        say("Kota Malang: employments generated", employments)
        # KPJ: "0" and ten digits of the person id; the scenario rows' random KPJs never start with 0.
        cursor.execute(
            f"""
            INSERT INTO registry_membership (kpj, segment, jkk, jkm, jht, jp, jkp, start_date, end_date,
                status, payer_kind, declared_income, bpu_sector, created_at, updated_at, employer_id,
                employment_id, person_id, sponsor_id)
            SELECT '0' || {_pad("p.id", 10)}, g.segment, TRUE, TRUE, g.segment = 'PU', g.segment = 'PU',
                   g.segment = 'PU', {_date("g.start")}, NULL, 'active',
                   CASE WHEN g.segment = 'PU' THEN 'employer' ELSE 'self' END,
                   CASE WHEN g.segment = 'PU' THEN NULL ELSE 1000000 END,
                   CASE WHEN g.segment = 'PU' THEN '' ELSE 'other' END, %s, %s,
                   e.employer_id, e.id, p.id, NULL
            FROM demo_grow g
            JOIN registry_person p ON p.nik = g.nik
            LEFT JOIN registry_employment e ON e.person_id = p.id AND g.segment = 'PU'
            """,  # noqa: S608
            [now, now],
        )
        memberships = cursor.rowcount
        say("Kota Malang: memberships generated", memberships)
        cursor.execute("DROP TABLE demo_grow")
    return {"persons": persons, "employments": employments, "memberships": memberships}


def workforce_load(*, say: Say) -> int:
    """The real BPS figures, then synthetic ones (labelled) for demo regencies and provinces without."""
    workforce_load_bps()
    have = set(WorkforceStat.objects.filter(region__isnull=False).values_list("region_id", flat=True))
    rows = [
        WorkforceStat(
            region_id=code,
            year=2024,
            survey_month=8,
            employed=thousands * 1000,
            source=SYNTHETIC_SOURCE,
            synthetic=True,
        )
        for code, thousands in (SYNTHETIC_REGENCIES | SYNTHETIC_PROVINCES).items()
        if code not in have
    ]
    WorkforceStat.objects.bulk_create(rows)
    say("workforce figures (BPS and synthetic)", WorkforceStat.objects.count())
    return len(rows)


def targets_set() -> None:
    """Malang branch's 2020 targets (scenarios.md S1)."""
    office = BranchOffice.objects.get(code="MLG")
    for segment, target in MALANG_TARGETS_2020:
        CoverageTarget.objects.update_or_create(
            branch_office=office,
            year=2020,
            segment=segment,
            defaults={"target": target, "note": "Kantor Cabang Malang 2020 (article S1)"},
        )


def coverage_build(*, say: Say) -> dict[str, Any]:
    """Workforce, targets and the snapshots of every demo month."""
    workforce_load(say=say)
    targets_set()
    active = 0
    for period in PERIODS:
        active = snapshot_build(period=period)["active"]
    say(f"coverage snapshots built ({PERIODS[0]} .. {PERIODS[-1]})", len(PERIODS))
    return {"periods": len(PERIODS), "active_in_demo_period": active}
