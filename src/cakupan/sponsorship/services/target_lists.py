"""Target lists (issue 15): a sponsor's candidates (a DTKS or social-welfare extract: NIK, name, address,
optionally a welfare decile) matched against the registry, and the valid uncovered ones enrolled as the
sponsor's next roster in one action, within its funded period's cap and money.

Matching is set-based: the rows are staged in one COPY, then one INSERT ... SELECT writes each row with its
person and its class (the persons looked up once, their active memberships grouped once) and one count
sums the classes, whatever the list's length.
Classes, a person counted once in the first that applies: this sponsor, another sponsor (named; APBN-paid
cover counts here with no sponsor name), a wage earner (an employer pays), self-paid, not covered (no active
membership, registered or not), invalid NIK. A NIK listed again is counted once (the later rows "duplicate").
"""
# ruff: noqa: S608 - SQL text from model names and choices (core.sqlnames); values are parameters

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Subquery, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput
from cakupan.core.sqlnames import quoted, table
from cakupan.enrolment.readers import read_table
from cakupan.registry.models import Membership, Person, Sponsor
from cakupan.registry.nik import nik_check_frame
from cakupan.rules.period import Period
from cakupan.sponsorship.models import MatchClass, TargetList, TargetRow
from cakupan.sponsorship.selectors import CLASSES, sponsor_in_scope, target_list_get

HEADERS = {
    "nik": ("nik", "no ktp", "nomor ktp", "no nik", "nomor induk kependudukan"),
    "name": ("nama", "nama lengkap", "name", "full name", "nama art", "nama krt"),
    "address": ("alamat", "address", "alamat lengkap"),
    "decile": ("desil", "decile", "desil kesejahteraan", "welfare decile"),
}


def _key(header: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in header.lower()).split())


def _columns(names: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in names:
        for field, headers in HEADERS.items():
            if _key(name) in headers and field not in found:
                found[field] = name
    if "nik" not in found:
        raise InvalidInput.single("file", _("The list needs a NIK column."))
    return found


def _frame(content: bytes, file_name: str) -> pl.DataFrame:
    table = read_table(content, file_name)
    if table.frame.height == 0:
        raise InvalidInput.single("file", _("The file has no rows."))
    cols = _columns(table.frame.columns)

    def text(field: str, size: int) -> pl.Expr:
        if field not in cols:
            return pl.lit("")
        return pl.col(cols[field]).cast(pl.Utf8).fill_null("").str.slice(0, size)

    frame = table.frame.select(
        nik=pl.col(cols["nik"]).cast(pl.Utf8),
        name=text("name", 200),
        address=text("address", 300),
        decile=(
            pl.col(cols["decile"]).cast(pl.Utf8).str.strip_chars().cast(pl.Int16, strict=False)
            if "decile" in cols
            else pl.lit(None, dtype=pl.Int16)
        ),
    )
    checked = nik_check_frame(
        frame.select("nik", birth_date=pl.lit(None, dtype=pl.Date), sex=pl.lit(None, dtype=pl.Utf8))
    )
    frame = frame.with_columns(
        nik=checked["nik"].str.slice(0, 32),
        valid=checked["nik_errors"].list.len() == 0,
        line=pl.int_range(2, frame.height + 2),  # the header is line 1
        decile=pl.when(pl.col("decile").is_between(1, 10)).then(pl.col("decile")),
    )
    first = frame["nik"].is_first_distinct()
    return frame.with_columns(
        klass=pl.when(~pl.col("valid"))
        .then(pl.lit(MatchClass.INVALID.value))
        .when(~first)
        .then(pl.lit(MatchClass.DUPLICATE.value))
        .otherwise(pl.lit(""))
    )


_STAGE = "sponsorship_target_stage"
_STAGED = ("line", "nik", "name", "address", "decile", "klass")


def _stage(cursor: Any, frame: pl.DataFrame) -> None:
    """The list's rows into a temporary table in one statement: COPY on PostgreSQL (the million-row list),
    executemany on SQLite."""
    cursor.execute(
        f"CREATE TEMP TABLE {_STAGE} (line integer, nik varchar(32), name varchar(200), "
        "address varchar(300), decile smallint, klass varchar(16))"
    )
    rows = frame.select(*_STAGED)
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        rows.write_csv(buffer, include_header=False, null_value="\\N")
        with cursor.cursor.copy(
            f"COPY {_STAGE} ({', '.join(_STAGED)}) FROM STDIN (FORMAT csv, NULL '\\N')"
        ) as copy:
            copy.write(buffer.getvalue())
        cursor.execute(f"ANALYZE {_STAGE}")
        return
    marks = ", ".join(["%s"] * len(_STAGED))
    cursor.executemany(f"INSERT INTO {_STAGE} ({', '.join(_STAGED)}) VALUES ({marks})", rows.rows())


def _load_classified(target: TargetList, frame: pl.DataFrame, sponsor_id: int) -> None:
    """Each row written once, already classified: the staged rows joined to persons by NIK and to one
    grouped pass over those persons' active memberships (a CASE in the contract's order), in one
    INSERT ... SELECT. Rows the NIK check classed (invalid, duplicate) keep their class and no person."""
    rows, person, member = table(TargetRow), table(Person), table(Membership)
    m = Membership.PayerKind
    with connection.cursor() as cursor:
        _stage(cursor, frame)
        # `found` (the rows with their person) is read twice, so PostgreSQL materialises it: the persons
        # are looked up once, not once for the rows and again for their memberships.
        cursor.execute(
            f"""WITH found AS (
                SELECT s.line, s.nik, s.name, s.address, s.decile, s.klass, p.id AS pid
                FROM {_STAGE} s LEFT JOIN {person} p ON p.nik = s.nik AND s.klass = ''
            )
            INSERT INTO {rows} (target_list_id, line, nik, name, address, decile, klass, person_id,
                other_sponsor_id, enrolled)
            SELECT %s, f.line, f.nik, f.name, f.address, f.decile,
                CASE WHEN f.klass <> '' THEN f.klass
                    WHEN a.mine = 1 THEN {quoted(MatchClass.THIS_SPONSOR)}
                    WHEN a.other = 1 THEN {quoted(MatchClass.OTHER_SPONSOR)}
                    WHEN a.wage = 1 THEN {quoted(MatchClass.WAGE_EARNER)}
                    WHEN a.self_paid = 1 THEN {quoted(MatchClass.SELF_PAID)}
                    ELSE {quoted(MatchClass.NOT_COVERED)} END,
                f.pid,
                CASE WHEN a.mine = 0 AND a.other = 1 THEN a.other_id END,
                %s
            FROM found f
            LEFT JOIN (
                SELECT m.person_id AS pid,
                    MAX(CASE WHEN m.sponsor_id = %s THEN 1 ELSE 0 END) AS mine,
                    MAX(CASE WHEN m.payer_kind IN ({quoted(m.SPONSOR)}, {quoted(m.GOVERNMENT)})
                        THEN 1 ELSE 0 END) AS other,
                    MAX(CASE WHEN m.payer_kind = {quoted(m.EMPLOYER)} THEN 1 ELSE 0 END) AS wage,
                    MAX(CASE WHEN m.payer_kind = {quoted(m.SELF)} THEN 1 ELSE 0 END) AS self_paid,
                    MIN(CASE WHEN m.sponsor_id <> %s THEN m.sponsor_id END) AS other_id
                FROM {member} m
                JOIN found q ON q.pid = m.person_id
                WHERE m.status = {quoted(Membership.Status.ACTIVE)}
                GROUP BY m.person_id
            ) a ON a.pid = f.pid""",
            [target.pk, False, sponsor_id, sponsor_id],
        )
        cursor.execute(f"DROP TABLE {_STAGE}")


def _content(source: Any, file_name: str | None) -> tuple[bytes, str]:
    if hasattr(source, "read"):
        return source.read(), file_name or getattr(source, "name", "") or "list.csv"
    try:
        with open(source, "rb") as handle:
            return handle.read(), file_name or str(source)
    except OSError as exc:
        raise InvalidInput.single("file", _("The file cannot be read.")) from exc


@transaction.atomic
def target_list_match(
    *, actor: Any, sponsor: Sponsor | int | str, source: Any, file_name: str | None = None
) -> TargetList:
    scope = require(actor, Perm.SPONSORSHIP_TARGETS)
    found = sponsor_in_scope(scope, sponsor)
    content, name = _content(source, file_name)
    frame = _frame(content, name)
    user = actor if getattr(actor, "is_authenticated", False) else None
    target = TargetList.objects.create(
        sponsor=found, file_name=name.rsplit("/", 1)[-1][:255], rows=frame.height, created_by=user
    )
    _load_classified(target, frame, found.pk)
    counts = dict(
        TargetRow.objects.filter(target_list=target)
        .values("klass")
        .annotate(n=Count("pk"))
        .values_list("klass", "n")
    )
    target.counts = {klass.value: counts.get(klass.value, 0) for klass in (*CLASSES, MatchClass.DUPLICATE)}
    target.save(update_fields=["counts"])
    audit_record(actor=actor, action="match", instance=target, changes={"rows": target.rows, **target.counts})
    return target


def _birth(nik: str, today: dt.date) -> tuple[dt.date, str]:
    """Birth date and sex encoded in a valid NIK; the century is the one making the person not unborn."""
    raw_day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "P" if raw_day > 40 else "L"
    day = raw_day - 40 if raw_day > 40 else raw_day
    year = 2000 + yy if 2000 + yy <= today.year - 15 else 1900 + yy
    try:
        return dt.date(year, month, day), sex
    except ValueError:  # a NIK whose date is not a calendar day (accepted with a warning by the registry)
        return dt.date(year, month, 1), sex


# The import's reasons for a person it refuses because another payer already pays for them (merge.py).
PAID_ELSEWHERE = ("membership_other_sponsor", "membership_other_payer")


def _refused(target: TargetList, record: Any) -> list[dict[str, str]]:
    """The candidates the roster import rejected, with its own words (naming the sponsor that already pays,
    one payer per person per month): the import decides, the list only records it. Those another payer
    pays are classed as its (one UPDATE; self-paid when they pay for themselves, APBN without a sponsor)."""
    from cakupan.enrolment.selectors import roster_rejections

    lang = "en" if (translation.get_language() or "id").startswith("en") else "id"
    rejected = roster_rejections(record=record, column="nik", lang=lang)
    elsewhere = [nik for nik, codes, _words in rejected if set(codes) & set(PAID_ELSEWHERE)]
    if elsewhere:
        paying = Membership.objects.filter(
            person__nik=OuterRef("nik"),
            segment=record.segment,
            employer__isnull=True,
            status=Membership.Status.ACTIVE,
        ).exclude(sponsor_id=target.sponsor_id)
        TargetRow.objects.filter(target_list=target, klass=MatchClass.NOT_COVERED, nik__in=elsewhere).update(
            klass=Case(
                When(
                    Exists(paying.filter(payer_kind=Membership.PayerKind.SELF)),
                    then=Value(MatchClass.SELF_PAID.value),
                ),
                default=Value(MatchClass.OTHER_SPONSOR.value),
            ),
            other_sponsor_id=Subquery(paying.exclude(sponsor=None).values("sponsor_id")[:1]),
        )
        counts = dict(
            TargetRow.objects.filter(target_list=target)
            .values("klass")
            .annotate(n=Count("pk"))
            .values_list("klass", "n")
        )
        target.counts = {k.value: counts.get(k.value, 0) for k in (*CLASSES, MatchClass.DUPLICATE)}
        target.save(update_fields=["counts"])
    return [{"nik": nik, "message": words} for nik, _codes, words in sorted(rejected)]


@transaction.atomic
def target_list_enrol(
    *, actor: Any, target_list: TargetList | int, start_month: str | None = None
) -> dict[str, Any]:
    """Enrol the list's valid uncovered rows as the sponsor's next roster (poorest decile first, then list
    order), as many as the funded period covering `start_month` allows by its cap and its money for the
    rest of the period. One roster import (enrolment), so every registry rule and the report apply; the
    answer's `refused` are the rows the import rejected, in its words (one paid by another sponsor for
    the months names it)."""
    from cakupan.enrolment.services import roster_import
    from cakupan.sponsorship.selectors import enrol_capacity

    require(actor, Perm.SPONSORSHIP_TARGETS)
    target = target_list_get(
        user=actor, pk=target_list.pk if isinstance(target_list, TargetList) else target_list
    )
    today = timezone.localdate()
    try:
        month = Period.parse(start_month) if start_month else Period.of(today).shift(1)
    except ValueError:
        raise InvalidInput.single("start_month", _("A month written YYYY-MM.")) from None
    capacity = enrol_capacity(target.sponsor, str(month))
    candidates = list(
        TargetRow.objects.filter(target_list=target, klass=MatchClass.NOT_COVERED, enrolled=False)
        .order_by(F("decile").asc(nulls_last=True), "line")
        .values_list("pk", "nik", "name")[: capacity.members]
    )
    if not candidates:
        raise InvalidInput.single(
            "target_list",
            _("No one to enrol: no valid uncovered row is left, or the cap or the money is used up."),
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "nik",
            "nama lengkap",
            "tanggal lahir",
            "jenis kelamin",
            "kode wilayah",
            "penghasilan",
            "program",
            "tanggal mulai",
        ]
    )
    programs = "JKK,JKM,JHT" if capacity.funded is not None and capacity.funded.jht else "JKK,JKM"
    income = capacity.funded.declared_income if capacity.funded is not None else 0
    for _pk, nik, name in candidates:
        born, sex = _birth(nik, today)
        district = f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}"
        writer.writerow(
            [nik, name or nik, born.isoformat(), sex, district, income, programs, month.first_day.isoformat()]
        )
    with transaction.atomic():
        record = roster_import(
            actor=actor,
            path_or_file=io.BytesIO(out.getvalue().encode("utf-8")),
            as_=("sponsor", str(target.sponsor_id)),
            file_name=f"target-list-{target.pk}.csv",
        )
        refused = _refused(target, record)
        # Set-based: every uncovered row whose person this sponsor now pays for is enrolled.
        paid_here = Membership.objects.filter(
            sponsor_id=target.sponsor_id, status=Membership.Status.ACTIVE
        ).values("person__nik")
        done = TargetRow.objects.filter(
            target_list=target, klass=MatchClass.NOT_COVERED, enrolled=False, nik__in=paid_here
        ).update(enrolled=True)
        target.enrolled = TargetRow.objects.filter(target_list=target, enrolled=True).count()
        target.save(update_fields=["enrolled"])
        audit_record(
            actor=actor,
            action="enrol",
            instance=target,
            changes={"roster": record.pk, "enrolled": done, "capacity": capacity.members},
        )
    return {
        "target_list": target.pk,
        "refused": refused,
        "roster": record.pk,
        "enrolled": done,
        "capacity": capacity.members,
        "left": TargetRow.objects.filter(
            target_list=target, klass=MatchClass.NOT_COVERED, enrolled=False
        ).count(),
    }
