"""UCDP Battle-Related Deaths Dataset (dyadic), aggregated to battle-location country-years in ``country_year``.

Reads the CSV as UCDP publishes it (``BattleDeaths_v24_1.csv``: 25 columns, one line per dyad-year:
``conflict_id, dyad_id, …, year, bd_best, bd_low, bd_high, …, battle_location, …, gwno_battle, region,
version``).  Deaths are attributed to the countries where the battles took place (``gwno_battle``, GW codes
resolved for the year).

A dyad-year whose battles were in several countries (``gwno_battle = "645, 652"``; about one in six lines) has
one total that UCDP does not split by country.  It is neither split (that would invent numbers) nor given to the
first listed country (the list is alphabetical by country name, so "first" means nothing: the
Iraq–Syria IS dyad in 2017 lists Afghanistan first).  Instead each country-year has two families of measures:

* ``bd_best``, ``bd_low``, ``bd_high``, ``dyads`` — sums and count over dyad-years fought *only* in this country.
  These add up across countries without double counting.
* ``bd_best_shared``, ``bd_low_shared``, ``bd_high_shared``, ``dyads_shared`` — the full totals and count of the
  dyad-years whose battles were in this country *and others*.  A shared dyad-year appears in every listed
  country, so these must not be added across countries; an upper bound for a country-year is
  ``bd_best + bd_best_shared``.

Rows are only written for the families a country-year has (no zero rows).  Values are loaded as published: a
few v24.1 lines have ``bd_low`` above ``bd_best`` or ``bd_high`` below it; they are kept, not "corrected".

Accounting and traceability: aggregation merges lines, so a stored row is one country-year *value*; its
``record_ref`` lists every line that contributed (``lines 12, 13, 40``), and every line of the file is either
listed in some row's ``record_ref`` or quarantined (unreadable fields, unknown GW code, a repeated
``(dyad_id, year)``).  ``read`` as the ingest reports it is therefore stored values + quarantined lines, not
the number of lines; the number of lines loaded is ``sum(dyads)`` + the number of distinct shared dyad-years.
The whole file is read before aggregating (the dyadic BRD has a few thousand lines).

Licence of the data: UCDP, CC BY 4.0 — cite Davies, Engström, Pettersson & Öberg (2024), JPR 61(4).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.ucdp.ucdp_acd import code_list, resolve_gw_by_year
from signalfire.sources.validate import Checker, require_columns, version_from_name

VERSION = "1.0"
SOURCE = "ucdp-brd"
LICENCE = ("UCDP Battle-Related Deaths Dataset, CC BY 4.0. Davies, Engström, Pettersson & Öberg (2024) "
           "Organized violence 1989–2023, JPR 61(4).")
REQUIRED = ["dyad_id", "year", "bd_best", "bd_low", "bd_high", "gwno_battle"]
DEATHS = ["bd_best", "bd_low", "bd_high"]


def _refs(lines: pd.Series) -> str:
    ordered = sorted({int(x) for x in lines})
    return (f"line {ordered[0]}" if len(ordered) == 1 else "lines " + ", ".join(map(str, ordered)))


def _parse(path: Path, records: pd.DataFrame, delim: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per line: dyad, year, deaths, list of battle countries; and the quarantine of unreadable lines."""
    chk = Checker(records, path, delim=delim)
    dyad = chk.number("dyad_id", required=True, whole=True, minimum=0)
    year = chk.number("year", required=True, whole=True, minimum=1800, maximum=2100)
    deaths = {c: chk.number(c, required=True, whole=True, minimum=0) for c in DEATHS}
    codes = code_list(chk, "gwno_battle")
    chk.fail(chk.missing(chk.value("gwno_battle")), "gwno_battle", "missing value")
    lines = records["record_ref"].str.split().str[-1].astype(int)
    # repeated dyad-years would be counted twice: keep the first
    keyed = pd.DataFrame({"dyad": dyad, "year": year, "line": lines}).dropna(subset=["dyad", "year"])
    first = keyed.groupby(["dyad", "year"])["line"].transform("min")
    repeat = pd.Series(False, index=records.index)
    repeat.loc[keyed.index] = keyed["line"] != first
    chk.fail(repeat, "dyad_id", "repeated dyad-year " + dyad.astype(str) + "/" + year.astype(str)
             + " (first at line " + first.reindex(records.index).astype("Int64").astype(str) + ")")
    explode = codes.dropna().str.split(", ").explode()
    frame = pd.DataFrame({"code": explode.astype(int), "year": year.loc[explode.index]})
    where = resolve_gw_by_year(frame["code"], frame["year"])
    unknown = where["country_iso3"].isna()
    if unknown.any():
        reasons = frame.loc[unknown, "code"].groupby(level=0).agg(
            lambda c: "; ".join(describe_failure(v, "gw") for v in c))
        chk.fail(pd.Series(records.index.isin(reasons.index), index=records.index), "gwno_battle",
                 reasons.reindex(records.index).fillna(""))
    places = pd.DataFrame({"line": lines.loc[frame.index].to_numpy(), "iso3": where["country_iso3"].to_numpy(),
                           "gw": where["country_gw"].to_numpy(), "year": frame["year"].to_numpy()},
                          index=frame.index)
    good, quarantine = chk.split(pd.DataFrame({"dyad": dyad, "year": year, **deaths}, index=records.index))
    places = places[places.index.isin(good.index)].drop_duplicates(subset=["line", "iso3"])
    places = places.join(good[DEATHS])
    places["shared"] = places.groupby(level=0)["iso3"].transform("size") > 1
    return places, quarantine


def _aggregate(places: pd.DataFrame) -> pd.DataFrame:
    out = []
    for shared, suffix in ((False, ""), (True, "_shared")):
        part = places[places["shared"] == shared] if len(places) else places
        if part.empty:
            continue
        grouped = part.groupby(["iso3", "year"])
        sums = grouped[DEATHS].sum()
        sums["dyads"] = grouped.size()
        sums["country_gw"] = grouped["gw"].first()
        sums["record_ref"] = grouped["line"].agg(_refs)
        long = sums.reset_index().melt(id_vars=["iso3", "year", "country_gw", "record_ref"],
                                       value_vars=[*DEATHS, "dyads"], var_name="measure", value_name="value")
        long["measure"] = long["measure"] + suffix
        out.append(long)
    if not out:
        return pd.DataFrame(columns=["source", "country_iso3", "country_gw", "year", "measure", "value",
                                     "record_ref"])
    rows = pd.concat(out, ignore_index=True).rename(columns={"iso3": "country_iso3"})
    rows.insert(0, "source", SOURCE)
    rows["value"] = rows["value"].astype(float)
    return rows.sort_values(["country_iso3", "year", "measure"]).reset_index(drop=True)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    version = version_from_name(path)
    parts, quarantines = [], []
    checked = False
    for records, rejects in read_records(path, delim=delim):
        if not checked:
            require_columns(path, [c for c in records.columns if c != "record_ref"], REQUIRED,
                            "is this a UCDP Battle-Related Deaths (dyadic) file?")
            checked = True
        parts.append(records)
        quarantines.append(rejects)
        if version is None and "version" in records.columns and len(records):
            version = records["version"].mode().iloc[0] or None
    records = pd.concat(parts, ignore_index=True)
    if records.empty:
        yield Batch(_aggregate(pd.DataFrame()), pd.concat(quarantines, ignore_index=True), source_version=version)
        return
    places, quarantine = _parse(path, records, delim)
    yield Batch(_aggregate(places), pd.concat([*quarantines, quarantine], ignore_index=True),
                source_version=version)


ADAPTER = Adapter(name="ucdp-brd", source=SOURCE, table="country_year", version=VERSION,
                  formats="UCDP Battle-Related Deaths dyadic CSV (v24.1 layout), by battle-location country-year",
                  read=read, licence=LICENCE)

