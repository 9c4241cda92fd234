"""ACLED on the engine's path: the mapping of :mod:`signalfire.sources.acled` as SQL over whole columns.

Covers ACLED's delimited exports (the export tool's and API's CSV, R conversions with ``2022.0`` numbers, the
pre-2019 layout with ``dd Month yyyy`` dates and ``iso3``), in any column order and with any delimiter.  SQL
reads exactly the dates ``YYYY-MM-DD`` (optionally with ``HH:MM:SS`` after a space or a ``T``, and a final
``Z``), ``DD/MM/YYYY`` (optionally with ``HH:MM:SS``) and ``DD Month YYYY``; whole numbers as ``12`` or ``12.0``;
epoch ``timestamp`` up to the year 2100; country names in printable ASCII (all of ACLED's).  SQL words one
failure itself, an event type the adapter does not know (a renamed or new ACLED type makes whole blocks of such
records); every other record it does not accept exactly goes through ``acled.canonical_rows`` (the row path),
which words its reasons.  Workbooks (``.xlsx``) and files whose header the adapter refuses use the row path.

Countries resolve as :func:`signalfire.geo.countries.resolve_series` does, as generated ``CASE`` expressions:
``iso`` (ISO 3166 numeric) by the record's month for codes whose holder changed, else ``iso3``, else the
``country`` name (normalised as :func:`signalfire.geo.countries.norm` does for ASCII text); an ``iso`` that
disagrees with the name is left to the row code, which words the clash.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import _aliases, _by_iso3, _index, _lookup, country
from signalfire.sources import acled
from signalfire.sources.base import SourceError
from signalfire.sources.delimited import sniff_delimiter
from signalfire.sources.fastsql import (
    SqlPlan,
    decimal,
    edge_free,
    field,
    fits,
    is_missing,
    lit,
    mapping,
    text_value,
    whole,
)
from signalfire.sources.tabular import check_records, header_columns, is_xlsx
from signalfire.sources.validate import TEXT_LIMIT, VALUE_SHOWN, Checker

YEAR = r"(1[7-9][0-9][0-9]|2[01][0-9][0-9])"
TIME = r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ISO_DATE = rf"{YEAR}-[0-9]{{2}}-[0-9]{{2}}([ T]{TIME})?"
ISO_DATE_Z = rf"{YEAR}-[0-9]{{2}}-[0-9]{{2}}T{TIME}Z"
DMY_DATE = rf"[0-9]{{2}}/[0-9]{{2}}/{YEAR}( {TIME})?"
NAMED_DATE = rf"[0-9]{{2}} ({'|'.join(MONTHS)}) {YEAR}"
PRINTABLE = "[ -~]*"                       # printable ASCII: Python's and the engines' lower/upper agree on it
EPOCH = r"[0-9]{1,10}(\.0*)?"
EPOCH_MAX = 4_102_444_800                  # 2100-01-01: pandas reads these seconds exactly, as float or integer
# an event type whose repr() is itself in single quotes (no quote, backslash or non-ASCII), within VALUE_SHOWN
PLAIN_TYPE = rf"[A-Za-z0-9 ,;:/()&+.-]{{1,{VALUE_SHOWN}}}"
TEXTS = {"admin1": "admin1", "admin2": "admin2", "place": "location", "actor1": "actor1", "actor2": "actor2",
         "description": "notes", "source_reference": "source"}


def printable(expr: str) -> str:
    return f"regexp_full_match({expr}, {lit(PRINTABLE)})"


def _date(expr: str) -> str:
    """acled.DATE_FORMATS on the forms above (an impossible day such as 30 February is NULL: a suspect)."""
    month = mapping(f"substr({expr}, 4, length({expr}) - 8)", {m: f"{i:02d}" for i, m in enumerate(MONTHS, 1)})
    dmy = f"substr({expr}, 7, 4) || '-' || substr({expr}, 4, 2) || '-' || left({expr}, 2)"
    named = f"right({expr}, 4) || '-' || {month} || '-' || left({expr}, 2)"
    return (f"CASE WHEN regexp_full_match({expr}, {lit(ISO_DATE)}) OR regexp_full_match({expr}, {lit(ISO_DATE_Z)})"
            f" THEN TRY_CAST(left({expr}, 10) AS DATE)"
            f" WHEN regexp_full_match({expr}, {lit(DMY_DATE)}) THEN TRY_CAST({dmy} AS DATE)"
            f" WHEN regexp_full_match({expr}, {lit(NAMED_DATE)}) THEN TRY_CAST({named} AS DATE) END")


def _epoch(expr: str) -> str:
    """ACLED's timestamp (epoch seconds) as BIGINT when SQL reads it exactly, else NULL."""
    return (f"CASE WHEN regexp_full_match({expr}, {lit(EPOCH)}) AND TRY_CAST({expr} AS DOUBLE) <= {EPOCH_MAX} "
            f"THEN CAST(TRY_CAST({expr} AS DOUBLE) AS BIGINT) END")


def _stamp(seconds: str) -> str:
    """Epoch seconds as ``YYYY-MM-DDTHH:MM:SSZ`` (acled._timestamps), in UTC without time zones on either engine."""
    ts = f"make_timestamp({seconds} * 1000000)"
    return f"strftime({ts}, '%Y-%m-%d') || 'T' || strftime({ts}, '%H:%M:%S') || 'Z'"


def lookup(expr: str, table: dict, default: str = "NULL", leaf: int = 16) -> str:
    """``CASE expr WHEN key THEN value … ELSE default END`` (keys: ints or ASCII text, values: SQL) as a balanced
    tree of ``expr < key`` tests: a flat CASE compares a record with every key before the one it matches (hundreds
    of country codes and names), the tree with about log2(n) + 16.  A NULL ``expr`` ends in ``default``."""
    keys = sorted(table)

    def key_sql(k) -> str:
        return str(int(k)) if isinstance(k, int) else lit(k)

    def build(part: list) -> str:
        if len(part) <= leaf:
            whens = " ".join(f"WHEN {key_sql(k)} THEN {table[k]}" for k in part)
            return f"CASE {expr} {whens} ELSE {default} END"
        mid = len(part) // 2
        return f"CASE WHEN {expr} < {key_sql(part[mid])} THEN {build(part[:mid])} ELSE {build(part[mid:])} END"

    return build(keys) if keys else default


def _value(country, part: str) -> str:
    if country is None:
        return "NULL"
    v = country.iso3 if part == "iso3" else country.gw
    return "NULL" if v is None or pd.isna(v) else lit(v) if part == "iso3" else str(int(v))


@lru_cache(maxsize=4)
def _runs(scheme: str) -> dict:
    """For each code of ``scheme`` with more than one entry: the runs of months with one holder as the row path
    resolves it (by the first day of the record's month), (first month, the month after the last, holder)."""
    months = pd.date_range("1700-01-01", "2201-01-01", freq="MS")
    runs: dict = {}
    for code, hits in _index(scheme).items():
        if len(hits) < 2:
            continue
        holders = [_lookup(scheme, code, m) for m in months[:-1]]
        out, first = [], 0
        for i in range(1, len(holders) + 1):
            if i == len(holders) or holders[i] != holders[first]:
                out.append((str(months[first].date()), str(months[i].date()), holders[first]))
                first = i
        runs[code] = out
    return runs


@lru_cache(maxsize=1)
def gw_follows_iso3() -> bool:
    """Whether every code's country is the canonical record of its ISO3 code (geo.countries.country), so the GW
    code of a resolved record follows from its ISO3 code (true of the shipped table; checked, not assumed)."""
    return all(country(c.iso3) == c for scheme in ("isonum", "iso3") for hits in _index(scheme).values()
               for _start, _end, c in hits)


def dated_country(code: str, date: str, scheme: str) -> str:
    """The ISO3 code of ``code`` in ``scheme`` ('isonum': a BIGINT; 'iso3': upper-case text) at the record's
    ``date``, as resolve_series gives it; NULL for an unknown code."""
    part = "iso3"
    runs = _runs(scheme)
    table = {}
    for code_value, hits in _index(scheme).items():
        table[code_value] = _value(hits[-1][2], part)
        if len(runs.get(code_value, [])) > 1:
            dated = " ".join(f"WHEN {date} >= DATE {lit(a)} AND {date} < DATE {lit(b)} THEN {_value(c, part)}"
                             for a, b, c in runs[code_value])
            table[code_value] = f"CASE {dated} ELSE {table[code_value]} END"
    return f"CAST({lookup(code, table)} AS VARCHAR)"


def norm_ascii(expr: str) -> str:
    """geo.countries.norm for printable ASCII text: lower case, & as 'and', runs of other characters as one space."""
    return f"trim(regexp_replace(replace(lower({expr}), '&', ' and '), '[^a-z0-9]+', ' ', 'g'))"


def name_iso3(key: str, name: str) -> str:
    """The ISO3 code a printable-ASCII country name resolves to (geo.countries._lookup 'name'), else NULL;
    ``key`` is the name's :func:`norm_ascii` (NULL for other text)."""
    aliases = {k: lit(v) for k, v in _aliases().items() if country(v) is not None}
    codes = {c: lit(c) for c in _by_iso3()}
    return (f"CASE WHEN {key} IS NOT NULL THEN coalesce({lookup(key, aliases)}, "
            f"CASE WHEN length({name}) = 3 THEN {lookup(f'upper({name})', codes)} END) END")


def iso3_gw(expr: str) -> str:
    """The canonical Gleditsch-Ward code of an ISO3 code (geo.countries.country)."""
    gws = {c: str(k.gw) for c, k in _by_iso3().items() if k.gw is not None}
    return f"CAST({lookup(expr, gws)} AS INTEGER)"


def plan(path: Path) -> SqlPlan | None:
    path = Path(path)
    try:
        if is_xlsx(path):
            return None
        delim = sniff_delimiter(path)
        names = header_columns(path, delim)
        acled.check_header(path, names)
    except SourceError:
        return None                      # the row path words the error
    if not gw_follows_iso3():
        return None                      # a reference table this plan's country_gw does not cover
    has = set(names)

    def v(name: str) -> str:
        return field(name if name in has else None)

    def select(scan: str) -> str:
        parsed = [f"{v('event_id_cnty')} AS _id", f"{_date(v('event_date'))} AS _date",
                  f"{v('year')} AS _year_s", f"{whole(v('year'))} AS _year",
                  f"{v('event_type')} AS _etype", f"{text_value(v('sub_event_type'))} AS _sub",
                  f"{v('fatalities')} AS _fat_s", f"{whole(v('fatalities'))} AS _fat",
                  f"{v('iso')} AS _iso_s", f"{whole(v('iso'))} AS _iso_n", f"{v('iso3')} AS _iso3_s",
                  f"{v('country')} AS _name_s", f"{v('timestamp')} AS _ts_s", f"{_epoch(v('timestamp'))} AS _ts",
                  # the keys the lookups below compare (a CASE compares its operand once per WHEN)
                  f"CASE WHEN {printable(v('event_type'))} THEN lower({v('event_type')}) END AS _etype_l",
                  f"CASE WHEN {printable(v('country'))} THEN {norm_ascii(v('country'))} END AS _name_key",
                  f"CASE WHEN {printable(v('iso3'))} THEN upper({v('iso3')}) END AS _iso3_u"]
        for name in ("time_precision", "geo_precision"):
            parsed += [f"{v(name)} AS _{name}_s", f"{whole(v(name))} AS _{name}"]
        for name in ("latitude", "longitude"):
            parsed += [f"{v(name)} AS _{name}_s", f"{decimal(v(name))} AS _{name}"]
        for alias, name in TEXTS.items():
            parsed.append(f"{text_value(v(name))} AS _t_{alias}")
        read = ["event_id_cnty", "event_type", "sub_event_type", "iso3", "country", *TEXTS.values()]
        parsed.append(f"{edge_free([v(n) for n in read if n in has])} AS _edge_ok")
        category = mapping("_etype_l", acled.CATEGORY)
        # the record's country as the row path resolves it: iso, else iso3, else the name
        iso3_col = f"CASE WHEN _iso3_s <> '' THEN {dated_country('_iso3_u', '_date', 'iso3')} END"

        name = f"CASE WHEN _name_s <> '' THEN {name_iso3('_name_key', '_name_s')} END"
        prec = {c: (mapping(f"CAST(_{c} AS VARCHAR)", {str(k): d for k, d in table.items()}, "'unknown'")
                    if c in has else default)
                for c, table, default in (("time_precision", acled.TIME_PREC, "'day'"),
                                          ("geo_precision", acled.GEO_PREC, "'unknown'"))}
        valid = " AND ".join([
            "_edge_ok", f"NOT {is_missing('_id')}", fits("_id", acled.ID_LIMIT), "_date IS NOT NULL",
            f"({is_missing('_year_s')} OR (_year BETWEEN 1900 AND 2100 AND _year = year(_date)))",
            f"NOT {is_missing('_etype')}", fits("_sub", TEXT_LIMIT), "_fat IS NOT NULL",
            *(f"({is_missing(f'_{c}_s')} OR _{c} BETWEEN 1 AND 3)" for c in ("time_precision", "geo_precision")),
            f"({is_missing('_latitude_s')} OR _latitude BETWEEN -90 AND 90)",
            f"({is_missing('_longitude_s')} OR _longitude BETWEEN -180 AND 180)",
            f"({is_missing('_ts_s')} OR _ts IS NOT NULL)",
            f"({is_missing('_iso_s')} OR _iso_n IS NOT NULL)",
            # the iso3 column counts only without a known iso, the name always (fallback or clash)
            "(_code_iso3 IS NOT NULL OR _iso3_s = '' OR _iso3_u IS NOT NULL)",
            "(_name_s = '' OR _name_key IS NOT NULL)",
            "coalesce(_code_iso3, _name_iso3) IS NOT NULL",
            "(_code_iso3 IS NULL OR _name_iso3 IS NULL OR _code_iso3 = _name_iso3)",
            *(fits(f"_t_{a}") for a in TEXTS)])
        unknown = (f"CASE WHEN _category IS NULL AND regexp_full_match(_etype, {lit(PLAIN_TYPE)}) AND "
                   "_valid THEN 'unknown ACLED event type: ''' || _etype || '''' END")
        texts = ", ".join(f"_t_{a} AS {a}" for a in TEXTS)
        return f"""
        SELECT seq, 'acled' AS source, _id AS source_id,
               CASE WHEN _ts IS NULL THEN NULL ELSE {_stamp('_ts')} END AS source_version,
               _category AS category, coalesce(_sub, _etype) AS subtype, _date AS date_start, _date AS date_end,
               {prec['time_precision']} AS date_precision,
               coalesce(_code_iso3, _name_iso3) AS country_iso3,
               {iso3_gw('coalesce(_code_iso3, _name_iso3)')} AS country_gw,
               CASE WHEN {is_missing('_latitude_s')} THEN NULL ELSE _latitude END AS latitude,
               CASE WHEN {is_missing('_longitude_s')} THEN NULL ELSE _longitude END AS longitude,
               {prec['geo_precision']} AS geo_precision, CAST(_fat AS INTEGER) AS fatalities_best,
               NULL::INTEGER AS fatalities_low, NULL::INTEGER AS fatalities_high,
               CAST(CASE WHEN _fat = 0 THEN 0 WHEN _category = 'violence_against_civilians' THEN _fat END AS INTEGER)
                   AS civilian_deaths, {texts},
               _category IS NOT NULL AND _valid AS _ok, {unknown} AS _reason,
               'event_type' AS _reason_column, false AS _flag, d.* EXCLUDE (seq)
        FROM (SELECT c.*, coalesce({valid}, false) AS _valid
        FROM (SELECT b.*, coalesce(_c1_iso3, _c3_iso3) AS _code_iso3
        FROM (SELECT s.*, {category} AS _category, {name} AS _name_iso3,
                     {dated_country('_iso_n', '_date', 'isonum')} AS _c1_iso3, {iso3_col} AS _c3_iso3
              FROM (SELECT *, {', '.join(parsed)} FROM ({scan})) s) b) c) d"""

    def rows(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        chk = Checker(records, path, raw=pd.Series("", index=records.index, dtype=object), delim=delim)
        return check_records(chk, acled.canonical_rows, delim)

    return SqlPlan(names=names, frame_names=names, delim=delim, header=True, quote='"', select=select, rows=rows)
