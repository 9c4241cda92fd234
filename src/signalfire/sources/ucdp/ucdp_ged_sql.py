"""UCDP GED on the engine's path: the mapping of :mod:`signalfire.sources.ucdp.ucdp_ged` as SQL over whole columns.

Covers the release layout (``country_id`` and ``date_start`` present, comma or other delimiter, ``12.0`` style
numbers).  Records SQL does not read exactly (Excel's ``M/D/YYYY`` dates, bad values, missing required fields, …)
go through ``ucdp_ged.canonical_rows`` (the row path), which words their quarantine reasons.  Files without
``country_id`` or ``date_start`` (extracts) use the row path throughout.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import _index, _lookup
from signalfire.sources.base import SourceError
from signalfire.sources.delimited import header_names, sniff_delimiter
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
from signalfire.sources.ucdp import ucdp_ged as ged
from signalfire.sources.validate import Checker, version_from_name

DATE = r"(1[7-9][0-9][0-9]|20[0-9][0-9]|21[0-9][0-9])-[0-9]{2}-[0-9]{2}( ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?)?"


@lru_cache(maxsize=1)
def _gw_runs() -> dict[int, list[tuple[str, str, object]]]:
    """For each code whose holder changed (345 Yugoslavia/Serbia, 365 USSR/Russia): the runs of months with one
    holder, (first month, the month after the last, the holder), from the row path's lookup of every month from 1700
    to 2200 (the row path resolves a record by the first day of its month)."""
    runs: dict[int, list] = {}
    for code, hits in _index("gw").items():
        if len(hits) < 2:
            continue
        months = pd.date_range("1700-01-01", "2201-01-01", freq="MS")
        holders = [_lookup("gw", code, m) for m in months[:-1]]
        out, first = [], 0
        for i in range(1, len(holders) + 1):
            if i == len(holders) or (holders[i].iso3, holders[i].gw) != (holders[first].iso3, holders[first].gw):
                out.append((str(months[first].date()), str(months[i].date()), holders[first]))
                first = i
        runs[int(code)] = out
    return runs


def gw_country(code: str, start: str, part: str) -> str:
    """The country (part 'iso3' or 'gw') of the Gleditsch-Ward code ``code`` as the row path resolves it: the
    holder in the record's month for the codes whose holder changed, else the code's current holder; NULL for an
    unknown code.  One CASE per record: a join with a lookup table stops DuckDB from appending the scan's rows in
    row-group batches (and a code x month table was built over the whole file)."""
    def value(country) -> str:
        v = country.iso3 if part == "iso3" else country.gw
        return "NULL" if v is None or pd.isna(v) else lit(v) if part == "iso3" else str(int(v))

    runs = _gw_runs()
    whens = []
    for code_value, hits in _index("gw").items():
        current = value(hits[-1][2])
        if int(code_value) in runs:
            dated = " ".join(f"WHEN {start} >= DATE {lit(a)} AND {start} < DATE {lit(b)} THEN {value(c)}"
                             for a, b, c in runs[int(code_value)])
            whens.append(f"WHEN {int(code_value)} THEN CASE {dated} ELSE {current} END")
        else:
            whens.append(f"WHEN {int(code_value)} THEN {current}")
    return f"CAST(CASE {code} {' '.join(whens)} END AS {'VARCHAR' if part == 'iso3' else 'INTEGER'})"


def _date(expr: str) -> str:
    return f"CASE WHEN regexp_full_match({expr}, {lit(DATE)}) THEN TRY_CAST(left({expr}, 10) AS DATE) END"


def plan(path: Path) -> SqlPlan | None:
    path = Path(path)
    delim = sniff_delimiter(path)
    names = header_names(path, delim)
    frame_names = [ged.RENAMES.get(n, n) for n in names]
    if len({n.casefold() for n in names}) != len(names) or len(set(frame_names)) != len(frame_names):
        return None                      # the row path words the error
    try:
        ged.require_ged_columns(path, frame_names)
    except SourceError:
        return None                      # the row path words the error
    if not {"date_start", "country_id", "dyad_name"} <= set(frame_names):
        return None
    raw = dict(zip(frame_names, names))  # canonical name -> the file's column

    def v(name: str) -> str:
        return field(raw.get(name))

    has = set(frame_names)

    def select(scan: str) -> str:
        texts = {"admin1": "adm_1", "admin2": "adm_2", "place": "where_coordinates", "actor1": "side_a",
                 "actor2": "side_b", "source_reference": "source_article", "dyad": "dyad_name",
                 "where_d": "where_description"}
        parsed = [f"{whole(v('id'))} AS _id", f"{_date(v('date_start'))} AS _start",
                  f"{_date(v('date_end')) if 'date_end' in has else 'NULL::DATE'} AS _end_p",
                  f"{v('date_end') if 'date_end' in has else lit('')} AS _end_s",
                  f"{v('type_of_violence')} AS _tov", f"{whole(v('best'))} AS _best", f"{v('best')} AS _best_s",
                  f"{whole(v('country_id'))} AS _gw"]
        for name in ("low", "high", "deaths_civilians", "date_prec", "where_prec"):
            if name in has:
                parsed += [f"{whole(v(name))} AS _{name}", f"{v(name)} AS _{name}_s"]
        for name in ("latitude", "longitude"):
            parsed += [f"{decimal(v(name))} AS _{name}", f"{v(name)} AS _{name}_s"]
        for alias, name in texts.items():
            parsed.append(f"{text_value(v(name)) if name in has else 'NULL::VARCHAR'} AS _t_{alias}")
        # whitespace at either end matters only in the texts: every other field read must match a pattern or a
        # value exactly, which a padded value does not (it becomes a suspect, and the row code reads it)
        parsed.append(f"{edge_free([v(n) for n in texts.values() if n in has])} AS _edge_ok")
        optional_ok = []
        for name in ("low", "high", "deaths_civilians", "date_prec", "where_prec"):
            if name in has:
                optional_ok.append(f"(_{name} IS NOT NULL OR {is_missing(f'_{name}_s')})")
        lat_ok = "(_latitude_s = '' OR _latitude BETWEEN -90 AND 90)"
        lon_ok = "(_longitude_s = '' OR _longitude BETWEEN -180 AND 180)"
        tov = "CASE _tov WHEN '1.0' THEN '1' WHEN '2.0' THEN '2' WHEN '3.0' THEN '3' ELSE _tov END"
        end = "coalesce(_end_p, _start)"
        ok = " AND ".join([
            "_edge_ok", "_id IS NOT NULL", "_start IS NOT NULL", "(_end_s = '' OR _end_p IS NOT NULL)", f"{end} >= _start",
            f"{tov} IN ('1', '2', '3')", "_best IS NOT NULL", *optional_ok, lat_ok, lon_ok,
            "_iso3 IS NOT NULL", *(fits(f"_t_{a}") for a in texts)])
        who = "coalesce(_t_dyad, '')"
        desc = f"CASE WHEN _t_where_d IS NULL THEN {who} ELSE {who} || ' — ' || _t_where_d END"
        version = lit(path_version) if path_version else "NULL::VARCHAR"
        prec = (mapping("CAST(_date_prec AS VARCHAR)", {str(k): d for k, d in ged.DATE_PREC.items()}, "'unknown'")
                if "date_prec" in has else "'day'")
        geo = (mapping("CAST(_where_prec AS VARCHAR)", {str(k): d for k, d in ged.WHERE_PREC.items()}, "'unknown'")
               if "where_prec" in has else "'unknown'")
        return f"""
        SELECT seq, 'ucdp-ged' AS source, CAST(_id AS VARCHAR) AS source_id, {version} AS source_version,
               {mapping(tov, ged.CATEGORY)} AS category, {mapping(tov, ged.SUBTYPE)} AS subtype,
               _start AS date_start, {end} AS date_end, {prec} AS date_precision,
               _iso3 AS country_iso3, _cgw AS country_gw, _t_admin1 AS admin1, _t_admin2 AS admin2,
               _t_place AS place,
               CASE WHEN _latitude_s = '' THEN NULL ELSE _latitude END AS latitude,
               CASE WHEN _longitude_s = '' THEN NULL ELSE _longitude END AS longitude, {geo} AS geo_precision,
               _t_actor1 AS actor1, _t_actor2 AS actor2, CAST(_best AS INTEGER) AS fatalities_best,
               {'CAST(_low AS INTEGER)' if 'low' in has else 'NULL::INTEGER'} AS fatalities_low,
               {'CAST(_high AS INTEGER)' if 'high' in has else 'NULL::INTEGER'} AS fatalities_high,
               {'CAST(_deaths_civilians AS INTEGER)' if 'deaths_civilians' in has else 'NULL::INTEGER'}
                   AS civilian_deaths,
               nullif(trim({desc}, ' —'), '') AS description, _t_source_reference AS source_reference,
               coalesce({ok}, false) AS _ok, NULL::VARCHAR AS _reason, NULL::VARCHAR AS _reason_column,
               _t_dyad IS NULL AS _flag, p.* EXCLUDE (seq)
        FROM (SELECT s.*, {gw_country('s._gw', 's._start', 'iso3')} AS _iso3,
                     {gw_country('s._gw', 's._start', 'gw')} AS _cgw
              FROM (SELECT *, {', '.join(parsed)} FROM ({scan})) s) p"""

    path_version = version_from_name(path)

    def rows(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        chk = Checker(records, path, delim=delim)
        return chk.split(ged.canonical_rows(chk, path_version))

    def dyad_check(con) -> str | None:
        # the row path describes a chunk whose dyad_name is all empty by conflict_name; the SQL path uses
        # dyad_name, so a file with any empty dyad_name goes the row path
        if con.execute("SELECT count(*) FROM stage WHERE _flag").fetchone()[0]:
            return "records without dyad_name"
        return None

    return SqlPlan(names=names, frame_names=frame_names, delim=delim, header=True, quote='"', select=select,
                   rows=rows, source_version=path_version, checks=[dyad_check])

