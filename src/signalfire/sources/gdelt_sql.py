"""GDELT event exports on the engine's path: the mapping of :mod:`signalfire.sources.gdelt` as SQL over whole
columns.

Every layout (57, 58, 61 fields) is covered.  SQL words one failure itself, the common one — "no location" (all
three geography blocks without a country code) on an otherwise valid record; records with any other problem go
through ``gdelt.canonical_rows`` (the row path), which words their reasons.  A file holding lines of the other
GDELT 1.0 layout (57 among 58 fields, or the reverse) uses the row path throughout.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from signalfire.geo.countries import _index
from signalfire.sources import gdelt
from signalfire.sources.fastsql import SqlPlan, edge_free, field, fits, lit, mapping, text_value
from signalfire.sources.validate import Checker

NO_LOCATION = "no location (ActionGeo, Actor1Geo and Actor2Geo country codes are all empty)"
BLOCKS = {"A": "ActionGeo", "1": "Actor1Geo", "2": "Actor2Geo"}


def _fips() -> dict[str, tuple[str, int | None]]:
    """FIPS 10-4 code -> (iso3, gw) of its current holder, as the row path resolves it."""
    return {code: (hits[-1][2].iso3, hits[-1][2].gw) for code, hits in _index("fips").items()}


def _gw_sql(key: str) -> str:
    table = {code: str(int(gw)) for code, (_iso3, gw) in _fips().items() if gw is not None and not pd.isna(gw)}
    return f"CAST({mapping(key, table)} AS INTEGER)"


def plan(path: Path) -> SqlPlan | None:
    path = Path(path)
    layout = gdelt.detect_layout(path)
    names = gdelt.LAYOUTS[layout]
    adm2 = layout == 61

    def pick(name: str) -> str:
        return (f"CASE _blk WHEN '1' THEN {field('Actor1Geo_' + name)} WHEN '2' THEN "
                f"{field('Actor2Geo_' + name)} ELSE {field('ActionGeo_' + name)} END")

    def coordinate(name: str, limit: int) -> tuple[str, str]:
        value = f"CASE WHEN regexp_full_match({name}, '-?[0-9]{{1,3}}(\\.[0-9]{{1,12}})?') THEN TRY_CAST({name} AS DOUBLE) END"
        return value, f"({name} = '' OR abs({value}) <= {limit})"

    def cameo(code: str) -> str:
        return mapping(code, gdelt.cameo())

    def select(scan: str) -> str:
        url = text_value(field("SOURCEURL")) if "SOURCEURL" in names else "NULL::VARCHAR"
        lat, lat_ok = coordinate("_lat", 90)
        lon, lon_ok = coordinate("_lon", 180)
        category = mapping("_root", gdelt.ROOT_CATEGORY)
        checks = ["_id <> ''", "regexp_full_match(_id, '[0-9]{1,19}')",
                  "regexp_full_match(_date_s, '(1[7-9][0-9][0-9]|20[0-9][0-9]|21[0-9][0-9])[0-9]{4}')",
                  "_date IS NOT NULL", f"{category} IS NOT NULL", "_subtype IS NOT NULL", lat_ok, lon_ok,
                  fits("_place"), fits("_adm1"), *([fits("_adm2")] if adm2 else []),
                  "(_added = '' OR regexp_full_match(_added, '[0-9]{8}([0-9]{6})?'))",
                  fits("_a1"), fits("_a2"), fits("_url")]
        read = [field(n) for n in ("GLOBALEVENTID", "SQLDATE", "EventRootCode", "EventCode", "EventBaseCode",
                                   "DATEADDED", "Actor1Name", "Actor2Name", "ActionGeo_CountryCode",
                                   "Actor1Geo_CountryCode", "Actor2Geo_CountryCode") if n in names]
        read += [field("SOURCEURL")] if "SOURCEURL" in names else []
        checks.append(edge_free(read + ["_place", "_adm1", "_adm2", "_lat", "_lon", "_type"]))
        valid = " AND ".join(checks)
        a1, a2 = "coalesce(_a1, '')", "coalesce(_a2, '')"
        who = f"CASE WHEN {a1} = '' THEN {a2} WHEN {a2} = '' THEN {a1} ELSE {a1} || ' → ' || {a2} END"
        text = "coalesce(_subtype, '')"
        desc = f"CASE WHEN ({who}) = '' THEN {text} WHEN {text} = '' THEN ({who}) ELSE ({who}) || ': ' || {text} END"
        return f"""
        SELECT seq, 'gdelt' AS source, _id AS source_id, nullif(_added, '') AS source_version,
               {category} AS category, _subtype AS subtype, _date AS date_start, _date AS date_end,
               'day' AS date_precision, _iso3 AS country_iso3, {_gw_sql('_fips')} AS country_gw,
               nullif(_adm1, '') AS admin1, {"nullif(_adm2, '')" if adm2 else 'NULL::VARCHAR'} AS admin2,
               nullif(_place, '') AS place,
               CASE WHEN _lat = '' THEN NULL ELSE {lat} END AS latitude,
               CASE WHEN _lon = '' THEN NULL ELSE {lon} END AS longitude,
               {mapping('_type', gdelt.GEO_TYPE, "'unknown'")} AS geo_precision, _a1 AS actor1, _a2 AS actor2,
               NULL::INTEGER AS fatalities_best, NULL::INTEGER AS fatalities_low, NULL::INTEGER AS fatalities_high,
               NULL::INTEGER AS civilian_deaths, nullif({desc}, '') AS description, _url AS source_reference,
               coalesce(_blk <> '' AND _iso3 IS NOT NULL AND {valid}, false) AS _ok,
               CASE WHEN _blk = '' AND coalesce({valid}, false) THEN {lit(NO_LOCATION)} END AS _reason,
               'ActionGeo_CountryCode' AS _reason_column, false AS _flag, b.* EXCLUDE (seq)
        FROM (SELECT c.*, {mapping('_fips', {code: iso3 for code, (iso3, _gw) in _fips().items()})} AS _iso3
        FROM (SELECT s.*, CASE WHEN regexp_full_match({pick('CountryCode')}, '[A-Za-z0-9]{{1,4}}')
                               THEN upper({pick('CountryCode')}) END AS _fips,
                     {pick('FullName')} AS _place, {pick('ADM1Code')} AS _adm1,
                     {pick('ADM2Code') if adm2 else "''"} AS _adm2, {pick('Lat')} AS _lat, {pick('Long')} AS _lon,
                     {pick('Type')} AS _type,
                     TRY_CAST(TRY_STRPTIME(_date_s, '%Y%m%d') AS DATE) AS _date,
                     coalesce({cameo('_code')}, {cameo('_base')}, {cameo('_root')}) AS _subtype
              FROM (SELECT *, {field('GLOBALEVENTID')} AS _id, {field('SQLDATE')} AS _date_s,
                           {field('EventRootCode')} AS _root, {field('DATEADDED')} AS _added,
                           {text_value(field('Actor1Name'))} AS _a1, {text_value(field('Actor2Name'))} AS _a2,
                           {url} AS _url,
                           CASE WHEN {field('ActionGeo_CountryCode')} <> '' THEN 'A'
                                WHEN {field('Actor1Geo_CountryCode')} <> '' THEN '1'
                                WHEN {field('Actor2Geo_CountryCode')} <> '' THEN '2' ELSE '' END AS _blk,
                           {field('EventCode')} AS _code, {field('EventBaseCode')} AS _base
                    FROM ({scan})) s) c) b"""

    def rows(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        chk = Checker(records, path, delim="\t")
        return chk.split(gdelt.canonical_rows(chk, layout))

    def rescue(rejects: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        return gdelt._rescue(rejects, layout)

    return SqlPlan(names=names, frame_names=names, delim="\t", header=False, quote="", select=select, rows=rows,
                   rescue=rescue)
