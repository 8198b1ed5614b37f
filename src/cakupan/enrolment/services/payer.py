"""What a roster row takes from its payer, decided once before the merge reads the registry.

- **The employer of a row**: the employer's own roster names it (a row naming another NPP is refused);
  an agency's roster names one per row, which must be registered and in the agency's area.
- **Where a new person lives** when the file says nothing: the payer's regency (the sponsor's, or the
  row's employer's; both are registered at a regency or a district, never a province; for a worker who
  pays themselves, the region the caller gives, e.g. an outreach event's). A row whose NIK
  was issued in another regency than the one assumed gets a warning: the NIK's regency is where the
  person was first registered, so the assumed address may still be right, but nothing in the row
  supports it. The address is only ever written for a new person: a registered one keeps theirs.
- **The declared income** of a new BPU member whose row has none: the sponsor's income basis, by
  default (and for a worker who pays themselves) the lowest BPU income level of the rules tables
  (rules.md §1.3).

The merge (merge.py) reads the columns added here (`employer_id`, `region_default`,
`income_default`) and add no decision of their own about them.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from cakupan.enrolment.reasons import ERROR_CODES
from cakupan.enrolment.services.merge import Target, chunks
from cakupan.registry.models import Employer
from cakupan.registry.selectors import bpu_lowest_income, sponsor_income_basis


def payer_income(target: Target, day: dt.date) -> int | None:
    """The declared income a new BPU member gets when the row has none: the sponsor's basis, or for a
    worker who pays themselves the lowest BPU level (None: a wage earners' roster). A registered member's
    income is kept when the row has none (validate.py), so a default never lowers it."""
    if target.sponsor is not None:
        return sponsor_income_basis(sponsor=target.sponsor, day=day)
    if target.kind == "self":
        return bpu_lowest_income(day)
    return None


def _employers(frame: pl.DataFrame, target: Target) -> pl.DataFrame:
    """employer_id, employer_code and employer_region of each row."""
    npp = pl.col("npp")
    if target.employer is not None:
        wrong = (npp != "") & (npp != target.employer.npp)
        return frame.with_columns(
            employer_id=pl.when(wrong).then(None).otherwise(pl.lit(target.employer.pk, pl.Int64)),
            employer_code=pl.when(wrong).then(pl.lit("employer_scope")),
            employer_region=pl.lit(target.employer.region_id, pl.Utf8),
        )
    if target.kind != "agency" or target.agency_scope is None:
        return frame.with_columns(
            employer_id=pl.lit(None, pl.Int64),
            employer_code=pl.lit(None, pl.Utf8),
            employer_region=pl.lit(None, pl.Utf8),
        )
    npps = sorted(n for n in frame["npp"].unique().to_list() if n)
    known: dict[str, tuple[int, str]] = {}
    allowed: set[str] = set()
    for part in chunks(npps):
        known.update(
            (n, (pk, region))
            for n, pk, region in Employer.objects.filter(npp__in=part).values_list("npp", "pk", "region_id")
        )
        allowed.update(
            Employer.objects.filter(target.agency_scope.employers(), npp__in=part).values_list(
                "npp", flat=True
            )
        )
    code = (
        pl.when(npp == "")
        .then(pl.lit("employer_missing"))
        .when(~npp.is_in(list(known)))
        .then(pl.lit("employer_unknown"))
        .when(~npp.is_in(list(allowed)))
        .then(pl.lit("employer_scope"))
    )
    ids = {n: pk for n, (pk, _r) in known.items()}
    regions = {n: r for n, (_pk, r) in known.items()}
    return frame.with_columns(employer_code=code).with_columns(
        employer_id=pl.when(pl.col("employer_code").is_null())
        .then(npp.replace_strict(ids, default=None, return_dtype=pl.Int64))
        .otherwise(None),
        employer_region=pl.when(pl.col("employer_code").is_null())
        .then(npp.replace_strict(regions, default=None, return_dtype=pl.Utf8))
        .otherwise(None),
    )


def payer_columns(checked: pl.DataFrame, target: Target) -> pl.DataFrame:
    """The checked frame with `employer_id` and `region_default`, the employer reasons and the
    assumed-address warning added to the rows not already rejected. (`income_default` is validation's:
    check_rows is given `payer_income`.) Column expressions over every row; only the few rows given a
    reason have their list of reasons rebuilt (lists over every row cost seconds at a million)."""
    live = ~pl.col("rejected")
    frame = _employers(checked, target).with_columns(
        employer_code=pl.when(live).then(pl.col("employer_code")),
        employer_id=pl.when(live).then(pl.col("employer_id")),
    )
    payer_region = target.sponsor.region_id if target.sponsor is not None else target.region_default
    region = pl.col("employer_region") if payer_region is None else pl.lit(payer_region, pl.Utf8)
    nik_regency = pl.col("nik").str.slice(0, 2) + "." + pl.col("nik").str.slice(2, 2)
    frame = frame.with_columns(
        region_default=pl.when(live & region.str.contains(r"\.")).then(region.str.slice(0, 5))
    )
    assumed = (
        pl.col("region").is_null()
        & pl.col("region_default").is_not_null()
        & (pl.col("region_default") != nik_regency)
    )
    frame = frame.with_columns(
        _added=pl.concat_str(
            pl.col("employer_code"),
            pl.when(assumed).then(pl.lit("region_from_payer")),
            separator=" ",
            ignore_nulls=True,
        )
    )
    out = frame.drop("employer_code", "employer_region", "_added")
    added = frame.filter(pl.col("_added").is_not_null() & (pl.col("_added") != "")).select(
        "number", codes=pl.concat_list("codes", pl.col("_added").str.split(" "))
    )
    if added.height == 0:
        return out
    out = out.update(added, on="number")
    return out.with_columns(rejected=pl.col("codes").list.eval(pl.element().is_in(ERROR_CODES)).list.any())
