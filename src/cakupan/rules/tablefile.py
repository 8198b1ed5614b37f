"""Reading versioned rule tables from TOML: strict types, a source for every number, no overlapping versions.

The format is described in docs/rules.md. This module knows nothing about contributions: it turns one
`[[series]]` entry into checked, sourced values and orders the versions of a series.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, Protocol, TypeVar

from cakupan.rules.period import Period
from cakupan.rules.sourced import CONFIDENCE_ORDER, CONFIDENCE_TAGS, Confidence, Source, Sourced, Validity

VERSION_KEYS = frozenset({"effective_from", "effective_to", "citation", "confidence", "note"})
SOURCED_KEYS = frozenset({"value", "citation", "confidence"})


T = TypeVar("T")


class RuleTableError(ValueError):
    """A rule table file is malformed. The message names the series, version and key."""


@functools.lru_cache(maxsize=16)
def _parsed(path: str, parse: Callable[[dict[str, Any]], Any]) -> Any:
    with open(path, "rb") as handle:
        return parse(tomllib.load(handle))


def rule_file(default: os.PathLike[str] | str, override_env: str, parse: Callable[[dict[str, Any]], T]) -> T:
    """The rule table file `default`, or the deployment's own file named by the environment variable
    `override_env`, parsed by `parse` once per file (the one loader of the tables read whole)."""
    path = os.environ.get(override_env) or os.fspath(default)
    parsed: T = _parsed(path, parse)
    return parsed


def _confidence(raw: object, where: str) -> Confidence:
    if isinstance(raw, str):
        if raw in CONFIDENCE_TAGS:
            return CONFIDENCE_TAGS[raw]
        for name in CONFIDENCE_ORDER:
            if raw == name:
                return name
    raise RuleTableError(f"{where}: confidence must be one of {', '.join(CONFIDENCE_ORDER)} (or C/M/B/U)")


class Entry:
    """One table of a TOML file (a version, or a row inside one), read key by key.

    Every key must be read exactly once, so a misspelt key is an error instead of a silently ignored rule.
    Numbers inherit the entry's citation and confidence unless written as {value, citation, confidence}.
    """

    def __init__(self, raw: object, where: str, default: Source | None) -> None:
        if not isinstance(raw, dict):
            raise RuleTableError(f"{where}: expected a table")
        self.raw: dict[str, Any] = raw
        self.where = where
        self.default = default
        self._read: set[str] = set()

    def has(self, key: str) -> bool:
        return key in self.raw

    def _take(self, key: str) -> object:
        if key not in self.raw:
            raise RuleTableError(f"{self.where}: missing {key!r}")
        self._read.add(key)
        return self.raw[key]

    def _sourced(self, key: str) -> tuple[object, Source]:
        raw = self._take(key)
        where = f"{self.where}.{key}"
        citation = self.default.citation if self.default else ""
        confidence = self.default.confidence if self.default else None
        if isinstance(raw, dict):
            unknown = set(raw) - SOURCED_KEYS
            if unknown or "value" not in raw:
                raise RuleTableError(f"{where}: a sourced value has keys value, citation, confidence")
            if "citation" in raw:
                citation = raw["citation"]
            if "confidence" in raw:
                confidence = _confidence(raw["confidence"], where)
            raw = raw["value"]
        if not isinstance(citation, str) or not citation.strip():
            raise RuleTableError(f"{where}: every number needs a citation")
        if confidence is None:
            raise RuleTableError(f"{where}: every number needs a confidence")
        return raw, Source(citation.strip(), confidence)

    def percent(self, key: str) -> Sourced[Decimal]:
        raw, source = self._sourced(key)
        return Sourced(_percent(raw, f"{self.where}.{key}"), source)

    def rupiah(self, key: str) -> Sourced[int]:
        raw, source = self._sourced(key)
        return Sourced(_rupiah(raw, f"{self.where}.{key}"), source)

    def count(self, key: str, *, maximum: int | None = None) -> Sourced[int]:
        """A whole number that is not money (a day of the month, a number of months)."""
        raw, source = self._sourced(key)
        value = _rupiah(raw, f"{self.where}.{key}")
        if maximum is not None and value > maximum:
            raise RuleTableError(f"{self.where}.{key}: at most {maximum}")
        return Sourced(value, source)

    def day(self, key: str) -> Sourced[dt.date]:
        raw, source = self._sourced(key)
        value = _date(raw, f"{self.where}.{key}")
        assert value is not None  # required: _date raised otherwise
        return Sourced(value, source)

    def text(self, key: str, choices: Sequence[str]) -> Sourced[str]:
        raw, source = self._sourced(key)
        if raw not in choices:
            raise RuleTableError(f"{self.where}.{key}: must be one of {', '.join(choices)}")
        return Sourced(str(raw), source)

    def sourced_words(self, key: str, choices: Sequence[str] = ()) -> Sourced[tuple[str, ...]]:
        """A list of names that is itself a rule (a set of programmes, of services), with its source."""
        raw, source = self._sourced(key)
        items = _list(raw, f"{self.where}.{key}")
        if not all(isinstance(item, str) and item.strip() for item in items):
            raise RuleTableError(f"{self.where}.{key}: expected a list of text")
        if choices and any(item not in choices for item in items):
            raise RuleTableError(f"{self.where}.{key}: each must be one of {', '.join(choices)}")
        return Sourced(tuple(str(item) for item in items), source)

    def free_text(self, key: str) -> Sourced[str]:
        """Text that is a rule (who imposes a sanction, which regulation implements it), with its source."""
        raw, source = self._sourced(key)
        if not isinstance(raw, str) or not raw.strip():
            raise RuleTableError(f"{self.where}.{key}: expected text")
        return Sourced(raw.strip(), source)

    def sourced_table(self, key: str) -> tuple[Entry, Source]:
        """A value that is a small table of its own ({after = [...]}), read key by key, and its source."""
        raw, source = self._sourced(key)
        return Entry(raw, f"{self.where}.{key}", source), source

    def percents(self, key: str) -> tuple[Sourced[Decimal], ...]:
        raw, source = self._sourced(key)
        items = _list(raw, f"{self.where}.{key}")
        return tuple(Sourced(_percent(v, f"{self.where}.{key}[{i}]"), source) for i, v in enumerate(items))

    def rupiahs(self, key: str) -> tuple[Sourced[int], ...]:
        raw, source = self._sourced(key)
        items = _list(raw, f"{self.where}.{key}")
        return tuple(Sourced(_rupiah(v, f"{self.where}.{key}[{i}]"), source) for i, v in enumerate(items))

    def words(self, key: str, choices: Sequence[str]) -> tuple[str, ...]:
        """A list of names (not numbers, so no source of its own)."""
        items = _list(self._take(key), f"{self.where}.{key}")
        for item in items:
            if item not in choices:
                raise RuleTableError(f"{self.where}.{key}: {item!r} is not one of {', '.join(choices)}")
        return tuple(str(item) for item in items)

    def rows(self, key: str) -> list[Entry]:
        """A list of inline tables; each row inherits this entry's source."""
        items = _list(self._take(key), f"{self.where}.{key}")
        return [Entry(item, f"{self.where}.{key}[{i}]", self.default) for i, item in enumerate(items)]

    def skip(self, keys: frozenset[str]) -> None:
        """Mark keys read elsewhere (the version keys) as used."""
        self._read.update(k for k in keys if k in self.raw)

    def finish(self) -> None:
        unknown = set(self.raw) - self._read
        if unknown:
            raise RuleTableError(f"{self.where}: unknown key(s) {', '.join(sorted(unknown))}")


def _list(raw: object, where: str) -> list[object]:
    if not isinstance(raw, list) or not raw:
        raise RuleTableError(f"{where}: expected a non-empty list")
    return raw


def _percent(raw: object, where: str) -> Decimal:
    # Rates are strings so that they load as exact Decimals: a TOML float (0.24) would already be binary.
    if not isinstance(raw, str):
        raise RuleTableError(f'{where}: write a rate as a string, e.g. "0.24" (never a float)')
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise RuleTableError(f"{where}: {raw!r} is not a number") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise RuleTableError(f"{where}: a percentage must be between 0 and 100")
    return value


def _rupiah(raw: object, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise RuleTableError(f"{where}: write an amount as a whole number of Rupiah")
    if raw < 0:
        raise RuleTableError(f"{where}: an amount cannot be negative")
    return raw


class Versioned(Protocol):
    @property
    def validity(self) -> Validity: ...


V = TypeVar("V", bound=Versioned)


@dataclass(frozen=True)
class Series(Generic[V]):
    """The versions of one rule, ordered by start, never overlapping."""

    name: str
    versions: tuple[V, ...]

    def in_force(self, period: Period) -> V | None:
        for version in self.versions:
            if version.validity.covers(period):
                return version
        return None

    @property
    def starts(self) -> dt.date:
        return self.versions[0].validity.effective_from


def read_series(name: str, raw: object, build: Callable[[Entry, Validity], V]) -> Series[V]:
    """Build every version of series `name`: check dates, fill implicit ends, refuse overlaps."""
    if not isinstance(raw, list) or not raw:
        raise RuleTableError(f"{name}: expected at least one [[{name}]] version")
    starts: list[tuple[dt.date, dt.date | None, Entry, Source]] = []
    for index, item in enumerate(raw):
        entry = Entry(item, f"{name}[{index}]", None)
        citation = entry.raw.get("citation")
        if not isinstance(citation, str) or not citation.strip():
            raise RuleTableError(f"{entry.where}: missing citation")
        source = Source(
            citation.strip(), _confidence(entry.raw.get("confidence"), f"{entry.where}.confidence")
        )
        entry.default = source
        start = _date(entry.raw.get("effective_from"), f"{entry.where}.effective_from")
        end = _date(entry.raw.get("effective_to"), f"{entry.where}.effective_to", required=False)
        if start is None:  # _date raised already; this narrows the type
            raise RuleTableError(f"{entry.where}.effective_from: missing")
        if end is not None and end < start:
            raise RuleTableError(f"{entry.where}: effective_to is before effective_from")
        starts.append((start, end, entry, source))
    starts.sort(key=lambda item: item[0])
    versions: list[V] = []
    for index, (start, end, entry, source) in enumerate(starts):
        following = starts[index + 1][0] if index + 1 < len(starts) else None
        if following is not None:
            if end is None:
                end = following - dt.timedelta(days=1)
            if end >= following:
                raise RuleTableError(f"{name}: versions starting {start} and {following} overlap")
        note = entry.raw.get("note", "")
        if not isinstance(note, str):
            raise RuleTableError(f"{entry.where}.note: expected text")
        validity = Validity(name, start, end, source, note.strip())
        entry.skip(VERSION_KEYS)
        version = build(entry, validity)
        entry.finish()
        versions.append(version)
    return Series(name, tuple(versions))


def _date(value: object, where: str, *, required: bool = True) -> dt.date | None:
    if value is None and not required:
        return None
    # tomllib gives datetime.date for 2025-03-01 and datetime.datetime for a time stamp; accept dates only.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise RuleTableError(f"{where}: expected a date like 2025-03-01")
    return value
