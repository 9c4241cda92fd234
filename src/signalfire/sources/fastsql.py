"""The engine's path for large delimited files: an adapter's mapping and checks as SQL over whole columns.

An adapter that has one (``ucdp_ged_sql``, ``gdelt_sql``) returns a :class:`SqlPlan` for a file, or ``None``
when the file needs the row path (a layout the plan does not cover).  The store runs the plan's SELECT over
DuckDB's ``read_csv`` of the file (all columns as text, the same reader options as the row path), in one parallel
scan into a temporary table (:mod:`signalfire.store.fast_ingest`).  Per record, the plan says:

* ``_ok`` — every check passes: the canonical columns computed in SQL are the row (the checks are deliberately
  narrower than the row path's parsers: whatever SQL does not accept exactly is not ``_ok``);
* ``_reason`` / ``_reason_column`` — a failure the plan words itself, exactly as the row path would;
* neither — a *suspect*: the record's raw fields go through the adapter's own row code (the reference), which
  gives the row or the quarantine reasons.  Odd records (Excel's dates, bad values, …) are few in real files.

Helpers here build SQL that matches the row path's helpers in :mod:`signalfire.sources.validate`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field

import pandas as pd

from signalfire.sources.validate import MISSING, TEXT_LIMIT

# the characters str.strip() removes (str.isspace()), for DuckDB's trim(string, characters)
WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


def lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def col(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def raw_col(name: str) -> str:
    """A field of the file in the plan's SELECT (named apart from the canonical columns: GED has a raw and a
    canonical ``latitude``)."""
    return col("raw:" + name)


def field(name: str | None) -> str:
    """The field as read: '' for an empty field (NULL from DuckDB).  Checker.value also str.strip()s it: an
    ``_ok`` record has no whitespace at either end of any field its mapping reads (see :func:`edge_free`), so
    the two are the same there."""
    if name is None:
        return "''"
    return f"coalesce({raw_col(name)}, '')"


_WS = "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE)
_EDGE = f"(^|\\x{{1}})[{_WS}]|[{_WS}](\\x{{1}}|$)"


def edge_free(exprs: list[str]) -> str:
    """True when none of the values starts or ends with whitespace str.strip() would remove: one regular
    expression over the values joined by \\x01 (a \\x01 next to whitespace inside a value is only a false alarm:
    the record goes to the row code)."""
    return f"NOT regexp_matches(concat_ws(chr(1), {', '.join(exprs)}), {lit(_EDGE)})"


_MISSING_LIST = "[" + ", ".join(lit(m) for m in sorted(MISSING)) + "]"


def is_missing(expr: str) -> str:
    """Checker.missing: the value is one of the missing markers.  A list lookup, not ``IN (…)``: DuckDB plans a
    long ``IN`` list as a join per use, ``list_contains`` is a plain function (Spark: ``array_contains``)."""
    return f"list_contains({_MISSING_LIST}, {expr})"


def text_value(expr: str) -> str:
    """Checker.text: missing markers as NULL."""
    return f"CASE WHEN {is_missing(expr)} THEN NULL ELSE {expr} END"


def fits(expr: str, limit: int = TEXT_LIMIT) -> str:
    """True when the text surely is within ``limit`` characters (bytes ≥ characters: longer ones go to the row
    path, which words the reason)."""
    return f"coalesce(strlen({expr}) <= {limit}, true)"


WHOLE = r"[0-9]{1,10}(\.0*)?"          # what the SQL path reads as a whole number (12, 12.0); else the row path
DECIMAL = r"-?[0-9]{1,12}(\.[0-9]{1,15})?"


def whole(expr: str) -> str:
    """A whole number in 0..2**31-1 as BIGINT, else NULL (for a value of the form WHOLE)."""
    return (f"CASE WHEN regexp_full_match({expr}, {lit(WHOLE)}) AND TRY_CAST({expr} AS DOUBLE) <= 2147483647 "
            f"THEN CAST(TRY_CAST({expr} AS DOUBLE) AS BIGINT) END")


def decimal(expr: str) -> str:
    return f"CASE WHEN regexp_full_match({expr}, {lit(DECIMAL)}) THEN TRY_CAST({expr} AS DOUBLE) END"


LOOKUP_LIST_FROM = 32    # entries from which a list lookup beats CASE (CAMEO's 310 codes: 0.12 s against 0.25 s
#                         per million values; at 20 entries the two are level)


def mapping(expr: str, table: dict, default: str = "NULL") -> str:
    """The value for ``expr``'s key in ``table``, else ``default``: CASE expr WHEN key THEN value … for a short
    table; for a long one ``values[list_position(keys, expr)]``, a plain function (CASE compares the keys one by
    one; a join would not keep the file's order)."""
    if len(table) < LOOKUP_LIST_FROM:
        whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in table.items())
        return f"CASE {expr} {whens} ELSE {default} END"
    keys = "[" + ", ".join(lit(k) for k in table) + "]"
    values = "[" + ", ".join(lit(v) for v in table.values()) + "]"
    found = f"{values}[list_position({keys}, {expr})]"
    return found if default == "NULL" else f"coalesce({found}, {default})"


@dataclass
class SqlPlan:
    names: list[str]                      # the file's columns, as read_csv reads them (header or layout)
    frame_names: list[str]                # the same columns as the row code names them (after renames)
    delim: str
    header: bool
    quote: str
    select: Callable[[str], str]          # scan SQL (seq + the raw columns as raw_col) -> SELECT with the canonical columns,
    #                                       _ok, _reason, _reason_column and the raw columns
    rows: Callable[[pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame]]  # the row path on suspect records
    source_version: str | None = None
    prepare: Callable = lambda con: None  # creates the lookup tables the SELECT joins
    rescue: Callable[[pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame]] | None = None  # rejects -> records
    checks: list[Callable] = dc_field(default_factory=list)  # after the scan: con -> reason to use the row path
