"""DuckDB SQL of the ingest plans as Spark SQL: transpiled by sqlglot, plus Spark equivalents for what it leaves.

The plans (:mod:`signalfire.sources.fastsql`) are written once, in DuckDB's dialect.  :func:`to_spark` parses a
plan's SELECT with sqlglot (``read="duckdb"``) and writes it for Spark; sqlglot turns ``regexp_matches`` into
``RLIKE``, ``x::T`` / ``TRY_CAST`` into Spark casts, ``trim(x, chars)`` into ``TRIM(chars FROM x)``,
``* EXCLUDE (…)`` into ``* EXCEPT (…)`` and re-escapes the string literals (a backslash is literal in DuckDB, an
escape in Spark).  What it passes through unchanged, Spark would not run or would run differently, so these are
rewritten here:

* ``regexp_full_match(x, re)`` → ``x RLIKE '\\A(?:re)\\z'`` (Spark's RLIKE finds; ``\\z``, not ``$``, which would
  also match before a final line break);
* ``strlen(x)`` (bytes) → ``octet_length(x)``;
* ``try_strptime(x, '%Y%m%d')`` → ``try_to_timestamp(x, 'yyyyMMdd')`` (the strftime codes the plans use);
* ``values[list_position(keys, x)]`` (a long lookup table) → ``try_element_at(map_from_arrays(keys, values), x)``.

:func:`duck_text` formats a typed value as DuckDB's ``CAST(x AS VARCHAR)`` does, so the row hash (md5 over the
columns as text) is the same on both engines: Java writes doubles below 10⁻³ (and from 10⁷) in its own scientific
notation (``1.0E-4``), DuckDB in Python's (``0.0001``, ``1e-05``).
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

# DuckDB types of the store's columns -> Spark SQL types
SPARK_TYPES = {"VARCHAR": "STRING", "INTEGER": "INT", "BIGINT": "BIGINT", "DOUBLE": "DOUBLE", "DATE": "DATE",
               "BOOLEAN": "BOOLEAN", "TIMESTAMP": "TIMESTAMP"}
_STRFTIME = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss"}


class DialectError(ValueError):
    """A construct of a plan's DuckDB SQL with no Spark equivalent here."""


def spark_type(duck_type: str) -> str:
    try:
        return SPARK_TYPES[duck_type.upper()]
    except KeyError:
        raise DialectError(f"no Spark type for DuckDB's {duck_type}") from None


def _java_format(fmt: str) -> str:
    out, i = "", 0
    while i < len(fmt):
        code = fmt[i:i + 2]
        if code in _STRFTIME:
            out, i = out + _STRFTIME[code], i + 2
        elif fmt[i] == "%":
            raise DialectError(f"strptime format {fmt!r}: {code} has no Spark equivalent here")
        elif fmt[i].isalpha():
            out, i = out + "'" + fmt[i] + "'", i + 1
        else:
            out, i = out + fmt[i], i + 1
    return out


def _lookup(node: exp.Bracket) -> exp.Expression | None:
    """``values[list_position(keys, x)]`` (:func:`signalfire.sources.fastsql.mapping`'s long tables) as
    ``try_element_at(map_from_arrays(keys, values), x)``: NULL for a key not in the table, as in DuckDB."""
    (index,) = node.expressions if len(node.expressions) == 1 else (None,)
    if not (isinstance(node.this, exp.Array) and isinstance(index, exp.Anonymous)
            and str(index.this).lower() == "list_position" and len(index.expressions) == 2):
        return None
    keys, value = index.expressions
    table = exp.Anonymous(this="map_from_arrays", expressions=[keys, node.this])
    return exp.Anonymous(this="try_element_at", expressions=[table, value])


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Bracket) and (lookup := _lookup(node)) is not None:
        return lookup
    if isinstance(node, exp.RegexpFullMatch):
        pattern = node.expression
        if not isinstance(pattern, exp.Literal) or not pattern.is_string:
            raise DialectError("regexp_full_match with a pattern that is not a literal")
        return exp.RegexpLike(this=node.this, expression=exp.Literal.string(f"\\A(?:{pattern.this})\\z"))
    if isinstance(node, exp.Anonymous):
        name = str(node.this).lower()
        if name == "strlen":
            return exp.Anonymous(this="octet_length", expressions=node.expressions)
        if name == "try_strptime":
            value, fmt = node.expressions
            if not isinstance(fmt, exp.Literal):
                raise DialectError("try_strptime with a format that is not a literal")
            return exp.Anonymous(this="try_to_timestamp",
                                 expressions=[value, exp.Literal.string(_java_format(fmt.this))])
    return node


def to_spark(duckdb_sql: str) -> str:
    """One DuckDB statement as Spark SQL."""
    tree = sqlglot.parse_one(duckdb_sql, read="duckdb")
    return tree.transform(_rewrite).sql(dialect="spark")


def _double_text(x: str) -> str:
    """DuckDB's text of a DOUBLE (Python's repr: shortest digits, scientific below 1e-4 and from 1e16) from
    Java's (shortest digits, scientific below 1e-3 and from 1e7)."""
    j = f"CAST({x} AS STRING)"
    part = f"regexp_extract({j}, '^(-?)([0-9])[.]([0-9]*)E(-?[0-9]+)$', {{}})"
    sign, first = part.format(1), part.format(2)
    frac = f"regexp_replace({part.format(3)}, '0+$', '')"
    e = f"CAST({part.format(4)} AS INT)"
    digits = f"({first} || {frac})"
    sci = (f"{sign} || {first} || CASE WHEN {frac} = '' THEN '' ELSE '.' || {frac} END || 'e' || "
           f"CASE WHEN {e} < 0 THEN '-' ELSE '+' END || lpad(CAST(abs({e}) AS STRING), 2, '0')")
    small = f"{sign} || '0.' || repeat('0', -{e} - 1) || {digits}"
    large = (f"CASE WHEN length({digits}) - 1 <= {e} THEN {sign} || {digits} || repeat('0', {e} - length({digits}) + 1)"
             f" || '.0' ELSE {sign} || substr({digits}, 1, {e} + 1) || '.' || substr({digits}, {e} + 2) END")
    return (f"CASE WHEN {x} IS NULL THEN NULL WHEN isnan({x}) THEN 'nan' "
            f"WHEN {x} = double('inf') THEN 'inf' WHEN {x} = double('-inf') THEN '-inf' "
            f"WHEN {j} NOT LIKE '%E%' THEN {j} WHEN {e} < -4 OR {e} >= 16 THEN {sci} "
            f"WHEN {e} < 0 THEN {small} ELSE {large} END")


def duck_text(x: str, duck_type: str) -> str:
    """Spark SQL giving the text DuckDB's ``CAST(x AS VARCHAR)`` gives for a value of ``duck_type``."""
    kind = duck_type.upper()
    if kind == "VARCHAR":
        return x
    if kind == "DOUBLE":
        return _double_text(x)
    if kind in ("INTEGER", "BIGINT", "DATE"):
        return f"CAST({x} AS STRING)"
    raise DialectError(f"no DuckDB text form for {duck_type} here")


def row_hash(columns: dict[str, str]) -> str:
    """Spark SQL of the store's row hash (``store.ingest._hash_expr``): md5 of the columns as DuckDB's text,
    NULL as ␀, joined by ␟."""
    parts = ", ".join(f"coalesce({duck_text(c, t)}, '\u2400')" for c, t in columns.items())
    return f"md5(concat_ws('\u241f', {parts}))"
