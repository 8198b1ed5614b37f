"""Whether a roster row may link a registered person, decided once for both merge paths.

A roster names people by NIK, and a NIK is not a secret: without this check any uploader (employer HR,
sponsor, agency) could put a stranger's NIK in a roster for its own employer or sponsor and be handed the
person (issue 12). A row that names a registered person outside the uploader's scope is linked only when
its full name (case, spaces and punctuation aside), birth date and sex agree with the registry; otherwise
it is held for the branch office (`LinkReview`). Persons the uploader already sees are linked as before:
their conflicts are reported with the registry's values, which the uploader may read anyway.

Both merge paths load the pairs (supplied row, registered person) their own way, the portable merge from
the persons it reads per chunk, the COPY merge from one query over its staging table, and ask
`held_rows`: one decision, loaded twice.
"""

from __future__ import annotations

import polars as pl

# Supplied values beside the registry's, one row per roster row naming a person outside the scope.
PAIR_SCHEMA = {
    "number": pl.Int64,
    "full_name": pl.Utf8,
    "birth_date": pl.Date,
    "sex": pl.Utf8,
    "reg_name": pl.Utf8,
    "reg_birth": pl.Date,
    "reg_sex": pl.Utf8,
}


def name_key(name: pl.Expr) -> pl.Expr:
    """ "SITI  AMINAH", "Siti Aminah" and "Siti-Aminah." are one name: letters and digits only, lower case."""
    return name.fill_null("").str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]", "")


def held_rows(pairs: pl.DataFrame) -> set[int]:
    """The row numbers among `pairs` (PAIR_SCHEMA) that disagree with the registry: held, not linked."""
    if pairs.height == 0:
        return set()
    disagree = (
        (name_key(pl.col("full_name")) != name_key(pl.col("reg_name")))
        | (pl.col("birth_date") != pl.col("reg_birth")).fill_null(True)
        | (pl.col("sex") != pl.col("reg_sex")).fill_null(True)
    )
    return set(pairs.filter(disagree)["number"].to_list())
