"""A health facility's staff on a day, counted set-based, once for both readers: the monthly snapshot build
(every facility of the nation, into `FacilitySnapshot`) and the live health view of one regency
(coverage/health.py). One statement whatever the number of facilities, where the view once checked every
reported job for an active membership (38,000 jobs at national scope: 5–9 s cold at 10 M persons).

Per facility: staff reported (jobs open on the day), of them covered (the person holds an active
membership at that facility), staff registered (memberships active on the day at it) and how many of
those hold each programme. Active on the day: status active, started on or before it, not ended before it.
"""
# ruff: noqa: S608 - SQL text built from model table names and choice values, values are parameters

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from cakupan.core.sqlnames import quoted, table
from cakupan.registry.models import Employer, Employment, Membership

PROGRAMMES = ("jkk", "jkm", "jht", "jp", "jkp")
COUNTS = ("reported", "covered", "registered", *PROGRAMMES)
EMPLOYER, EMPLOYMENT, MEMBERSHIP = table(Employer), table(Employment), table(Membership)
ACTIVE = quoted(Membership.Status.ACTIVE)


def facility_counts_sql(facilities: str) -> str:
    """(employer_id, facility_type, reported, covered, registered, jkk … jkp) of the health facilities whose
    ids `facilities` selects (a subquery); parameters: the subquery's, then the day four times."""
    programmes = ", ".join(f"SUM(CASE WHEN a.{p} THEN 1 ELSE 0 END) AS {p}" for p in PROGRAMMES)
    return f"""WITH f AS (
            SELECT id, facility_type FROM {EMPLOYER} WHERE facility_type <> '' AND id IN ({facilities})
        ), active AS (
            SELECT m.person_id, m.employer_id, m.jkk, m.jkm, m.jht, m.jp, m.jkp FROM {MEMBERSHIP} m
            WHERE m.employer_id IN (SELECT id FROM f) AND m.status = {ACTIVE} AND m.start_date <= %s
                AND (m.end_date IS NULL OR m.end_date >= %s)
        ), reported AS (
            SELECT j.employer_id, COUNT(*) AS reported,
                SUM(CASE WHEN EXISTS (SELECT 1 FROM active a WHERE a.person_id = j.person_id
                    AND a.employer_id = j.employer_id) THEN 1 ELSE 0 END) AS covered
            FROM {EMPLOYMENT} j WHERE j.employer_id IN (SELECT id FROM f) AND j.start_date <= %s
                AND (j.end_date IS NULL OR j.end_date >= %s)
            GROUP BY j.employer_id
        ), registered AS (
            SELECT a.employer_id, COUNT(*) AS registered, {programmes} FROM active a GROUP BY a.employer_id
        )
        SELECT f.id AS employer_id, f.facility_type, COALESCE(r.reported, 0) AS reported,
            COALESCE(r.covered, 0) AS covered, COALESCE(g.registered, 0) AS registered,
            {", ".join(f"COALESCE(g.{p}, 0) AS {p}" for p in PROGRAMMES)}
        FROM f LEFT JOIN reported r ON r.employer_id = f.id LEFT JOIN registered g ON g.employer_id = f.id"""


def facility_counts(employers: QuerySet[Employer], day: dt.date) -> list[dict[str, Any]]:
    """Today's (or `day`'s) counts of these facilities, one dict per facility."""
    sql, params = employers.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(facility_counts_sql(sql), [*params, day, day, day, day])
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
