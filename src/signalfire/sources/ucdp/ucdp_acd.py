"""UCDP/PRIO Armed Conflict Dataset (ACD), one row per conflict-year, into table ``conflicts``.

Reads three published layouts, told apart by their header:

* the official CSV, 28 columns (``conflict_id, location, side_a, side_a_id, side_a_2nd, side_b, side_b_id,
  side_b_2nd, incompatibility, territory_name, year, intensity_level, cumulative_intensity, type_of_conflict,
  start_date, start_prec, start_date2, start_prec2, ep_end, ep_end_date, ep_end_prec, gwno_a, gwno_a_2nd, gwno_b,
  gwno_b_2nd, gwno_loc, region, version``), ISO dates, comma separated;
* the same columns re-saved with ``;`` separators, CRLF line ends and ``d-m-yyyy`` dates (as
  ``UcdpPrioConflict_v25_1.csv`` circulates).  In that re-save one record (conflict 11349, 2008) is split over
  two lines (and conflict-year 11350/2005 is missing altogether): the first ends after ``territory_name``, the second starts with an empty ``conflict_id`` and holds
  the year in ``location``, its Gleditsch–Ward fields run together with commas.  Both lines are quarantined with
  a reason saying so; the record is not reconstructed (the field boundaries of the second line are not certain);
* the peacesciencer conversion (15 columns: ``conflict_id, year, gwno_a, gwno_a_2nd, gwno_b, gwno_b_2nd,
  incompatibility, intensity_level, type_of_conflict, start_date, start_prec, start_date2, start_prec2, ep_end,
  ep_end_date``), with numbers written as floats (``11342.0``), ``incompatibility`` as text (territory,
  government, both) and ``type_of_conflict`` as text (extrasystemic, interstate, intrastate, II =
  internationalized intrastate), mapped back to UCDP's codes.  peacesciencer repeats a conflict-year once per
  listed state (``gwno_a``/``gwno_a_2nd``/``gwno_b``/``gwno_b_2nd`` one code per line); the adapter folds these
  consecutive lines back into one conflict-year, joining the codes (``"2, 200, 211"``) as UCDP does, and its
  ``record_ref`` names all the lines (``lines 29-62``).  For this layout ``read`` counts conflict-years, the
  producer's unit.  If folded lines disagree on any other column the conflict-year is quarantined.  It has no
  location, sides, territory, ``gwno_loc``, region or version: those are stored as NULL.

``location_iso3`` holds the ISO3 codes of ``gwno_loc`` (``"651, 666"`` → ``"EGY, ISR"``), each resolved for the
record's year, as of 1 July (GW 345: Yugoslavia, then Serbia and Montenegro from 1992, Serbia from 2006).  Hyderabad (GW 751, 1947–48) has no ISO 3166 code:
it is left out of ``location_iso3`` (``gwno_loc`` keeps it).  Any other code that is not a GW code is quarantined.
Key: (conflict_id, year).

Licence of the data: UCDP, CC BY 4.0 — cite Gleditsch et al. (2002) and Davies et al. (2025).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure, reference, resolve_series
from signalfire.sources.base import Adapter, Batch, quarantine_frame
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.validate import Checker, require_columns, short_repr, version_from_name

VERSION = "1.0"
LICENCE = ("UCDP/PRIO Armed Conflict Dataset, CC BY 4.0. Gleditsch, Wallensteen, Eriksson, Sollenberg & Strand "
           "(2002) Armed Conflict 1946–2001: A New Dataset, JPR 39(5); Davies, Engström, Pettersson & Öberg "
           "(2025), JPR 62(4).")

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
INCOMPATIBILITY = {"1": 1, "2": 2, "3": 3, "territory": 1, "government": 2, "both": 3,
                   "territory and government": 3, "government and territory": 3}
CONFLICT_TYPE = {"1": 1, "2": 2, "3": 3, "4": 4, "extrasystemic": 1, "extra-systemic": 1, "interstate": 2,
                 "intrastate": 3, "ii": 4, "internationalized intrastate": 4, "internationalised intrastate": 4,
                 "internationalized": 4}
REQUIRED = ["conflict_id", "year", "incompatibility", "intensity_level", "type_of_conflict"]
OFFICIAL_REQUIRED = ["location", "side_a", "side_b", "gwno_loc"]
CODE_LISTS = ["gwno_a", "gwno_a_2nd", "gwno_b", "gwno_b_2nd", "gwno_loc"]
FOLDED = ["gwno_a", "gwno_a_2nd", "gwno_b", "gwno_b_2nd"]   # peacesciencer: one code per line
GW_WITHOUT_ISO = {751: "Hyderabad"}
AFTER_TERRITORY = ["year", "intensity_level", "cumulative_intensity", "type_of_conflict", "start_date",
                   "start_prec", "start_date2", "start_prec2", "ep_end", "ep_end_date", "ep_end_prec", "gwno_a",
                   "gwno_a_2nd", "gwno_b", "gwno_b_2nd", "gwno_loc", "region", "version"]


def _lowered(chk: Checker, column: str) -> pd.Series:
    return chk.value(column).str.lower().str.replace(r"\.0$", "", regex=True)


def code_list(chk: Checker, column: str) -> pd.Series:
    """A comma-separated list of whole-number codes (``"651, 666"``, ``"750.0"``) normalised to ``"651, 666"``."""
    values = chk.value(column)
    present = values[~chk.missing(values)]
    tokens = present.str.split(",").explode().str.strip()
    ok = tokens.str.fullmatch(r"\d{1,6}(\.0+)?")
    bad = pd.Series(values.index.isin(tokens.index[~ok]), index=values.index)
    chk.fail(bad, column, "not a list of whole-number codes: " + values.map(short_repr))
    good = tokens[ok].str.replace(r"\.0+$", "", regex=True).str.lstrip("0").replace("", "0")
    joined = good.groupby(level=0).agg(", ".join)
    out = pd.Series(None, index=values.index, dtype=object)
    keep = joined.index[~joined.index.isin(bad.index[bad])]
    out.loc[keep] = joined.loc[keep]
    return out


def resolve_gw_by_year(codes: pd.Series, years: pd.Series) -> pd.DataFrame:
    """Gleditsch–Ward codes to ``country_iso3``/``country_gw``, as of 1 July of each year.

    Only codes whose holder changed over time (e.g. 345, 365) are looked up per year; the others once.
    """
    index = codes.index
    codes = pd.to_numeric(codes, errors="coerce").reset_index(drop=True)
    years = years.reset_index(drop=True)
    ref = reference()
    split = set(ref.loc[ref["gw"].notna()].groupby("gw")["iso3"].nunique().loc[lambda n: n > 1].index)
    timed = codes.isin(split)
    out = pd.DataFrame({"country_iso3": pd.Series(None, index=codes.index, dtype="string"),
                        "country_gw": pd.Series(pd.NA, index=codes.index, dtype="Int64")})
    if (~timed).any():
        once = resolve_series(codes[~timed], "gw")
        out.loc[~timed, "country_iso3"] = once["country_iso3"]
        out.loc[~timed, "country_gw"] = once["country_gw"]
    if timed.any():
        when = pd.to_datetime(pd.to_numeric(years[timed], errors="coerce").astype("Int64").astype(str)
                              + "-07-01", format="ISO8601", errors="coerce")   # a missing year: NaT, no guessing
        dated = resolve_series(codes[timed], "gw", when=when)
        out.loc[timed, "country_iso3"] = dated["country_iso3"]
        out.loc[timed, "country_gw"] = dated["country_gw"]
    return out.set_axis(index)


def _location_iso3(chk: Checker, gwno_loc: pd.Series, year: pd.Series) -> pd.Series:
    pairs = [(idx, int(code), y) for idx, codes, y in zip(gwno_loc.index, gwno_loc, year)
             if isinstance(codes, str) and not pd.isna(y) for code in codes.split(", ")]
    out = pd.Series(None, index=gwno_loc.index, dtype=object)
    if not pairs:
        return out
    frame = pd.DataFrame(pairs, columns=["idx", "code", "year"])
    frame["iso3"] = resolve_gw_by_year(frame["code"], frame["year"])["country_iso3"].to_numpy()
    unknown = frame["iso3"].isna() & ~frame["code"].isin(list(GW_WITHOUT_ISO))
    if unknown.any():
        reasons = frame[unknown].groupby("idx")["code"].agg(lambda c: "; ".join(describe_failure(v, "gw")
                                                                               for v in c))
        mask = pd.Series(gwno_loc.index.isin(reasons.index), index=gwno_loc.index)
        chk.fail(mask, "gwno_loc", reasons.reindex(gwno_loc.index).fillna(""))
    joined = frame.dropna(subset=["iso3"]).groupby("idx")["iso3"].agg(lambda s: ", ".join(dict.fromkeys(s)))
    return out.where(~out.index.isin(joined.index), joined.reindex(out.index))


def _split_record_checks(chk: Checker) -> None:
    """The semicolon re-save's split record: say what happened before the generic checks pile up."""
    recs = chk.records
    if "location" not in recs.columns:
        return
    cid, loc = chk.value("conflict_id"), chk.value("location")
    line = recs["record_ref"].astype(str).str.split().str[-1].astype(int)
    tail = chk.missing(cid) & loc.str.fullmatch(r"(19|20)\d\d")
    chk.fail(tail, "location", "column-shifted: conflict_id is empty and column location holds "
             + loc.map(short_repr) + ", a year; this line looks like the rest of a record split across two lines "
             "(begun on line " + (line - 1).astype(str) + "); not reconstructed")
    after = [c for c in AFTER_TERRITORY if c in recs.columns]
    empty_tail = pd.concat([chk.missing(chk.value(c)) for c in after], axis=1).all(axis=1)
    head = ~chk.missing(cid) & empty_tail
    chk.fail(head, "year", "record ends after column territory_name (year … version all empty); it looks "
             "split across two lines, the rest on line " + (line + 1).astype(str) + "; not reconstructed")


def canonical_rows(chk: Checker, file_version: str | None) -> pd.DataFrame:
    recs = chk.records
    _split_record_checks(chk)
    conflict_id = chk.number("conflict_id", required=True, whole=True, minimum=0)
    year = chk.number("year", required=True, whole=True, minimum=1900, maximum=2100)
    incompat = _choice(chk, "incompatibility", INCOMPATIBILITY)
    ctype = _choice(chk, "type_of_conflict", CONFLICT_TYPE)
    intensity = chk.number("intensity_level", required=True, whole=True, minimum=1, maximum=2)
    codes = {c: code_list(chk, c) for c in CODE_LISTS}
    dates = {c: chk.date(c, DATE_FORMATS).dt.date for c in ("start_date", "start_date2", "ep_end_date")}
    numbers = {c: chk.number(c, whole=True, minimum=0, maximum=9) for c in
               ("cumulative_intensity", "start_prec", "start_prec2", "ep_end", "ep_end_prec")}
    version = chk.text("version") if "version" in recs.columns else pd.Series(None, index=recs.index,
                                                                                 dtype=object)
    if file_version:
        version = version.fillna(file_version)
    return pd.DataFrame({
        "conflict_id": conflict_id, "year": year, "location": chk.text("location"),
        "side_a": chk.text("side_a"), "side_a_id": chk.text("side_a_id"), "side_a_2nd": chk.text("side_a_2nd"),
        "side_b": chk.text("side_b"), "side_b_id": chk.text("side_b_id"), "side_b_2nd": chk.text("side_b_2nd"),
        "incompatibility": incompat, "territory_name": chk.text("territory_name"),
        "intensity_level": intensity, "cumulative_intensity": numbers["cumulative_intensity"],
        "type_of_conflict": ctype, "start_date": dates["start_date"], "start_prec": numbers["start_prec"],
        "start_date2": dates["start_date2"], "start_prec2": numbers["start_prec2"], "ep_end": numbers["ep_end"],
        "ep_end_date": dates["ep_end_date"], "ep_end_prec": numbers["ep_end_prec"],
        **{c: codes[c] for c in CODE_LISTS},
        "location_iso3": _location_iso3(chk, codes["gwno_loc"], year),
        "region": chk.text("region"), "version": version,
    }, index=recs.index)


def _choice(chk: Checker, column: str, mapping: dict) -> pd.Series:
    values = _lowered(chk, column)
    out = values.map(mapping)
    chk.fail(out.isna() & ~chk.missing(values), column, "unknown value: " + chk.value(column).map(short_repr))
    chk.fail(chk.missing(values), column, "missing value")
    return out.astype("Int64")


def _line_span(lines: list[int]) -> str:
    if len(lines) == 1:
        return f"line {lines[0]}"
    if lines == list(range(lines[0], lines[-1] + 1)):
        return f"lines {lines[0]}-{lines[-1]}"
    return "lines " + ", ".join(map(str, lines))


def _fold(path: Path, records: pd.DataFrame, delim: str) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """peacesciencer: fold consecutive lines of one conflict-year into one record (codes joined)."""
    if records.empty:
        return records, pd.Series(dtype=object), quarantine_frame()
    content = [c for c in records.columns if c != "record_ref"]
    raw_lines = records[content].astype(str).agg(delim.join, axis=1)
    stripped = records[content].apply(lambda col: col.str.strip())
    key = stripped["conflict_id"] + "|" + stripped["year"]
    group = (key != key.shift()).cumsum().rename("group")
    line = records["record_ref"].str.split().str[-1].astype(int)
    spans = line.groupby(group).agg(["first", "last", "count"])
    listed = line.astype(str).groupby(group).agg(", ".join)
    refs = ("lines " + spans["first"].astype(str) + "-" + spans["last"].astype(str)).where(
        spans["last"] - spans["first"] + 1 == spans["count"], "lines " + listed)
    refs = refs.where(spans["count"] > 1, "line " + spans["first"].astype(str))
    raws = raw_lines.groupby(group).agg("\n".join)
    fixed = [c for c in content if c not in FOLDED]
    differing = stripped[fixed].groupby(group).nunique() > 1
    bad_groups = differing.index[differing.any(axis=1)]
    folded = stripped.groupby(group).first()
    for c in (c for c in FOLDED if c in content):
        codes = pd.DataFrame({"group": group, "v": stripped[c]})
        codes = codes[codes["v"] != ""].drop_duplicates()
        folded[c] = codes.groupby("group")["v"].agg(", ".join).reindex(folded.index).fillna("")
    folded.insert(0, "record_ref", refs)
    bad = [{"record_ref": refs[g], "column_name": differing.columns[differing.loc[g]][0], "raw": raws[g],
            "reason": f"{path.name}, {refs[g]}: the lines of conflict-year "
                      f"{folded.at[g, 'conflict_id']}/{folded.at[g, 'year']} disagree in column(s) "
                      + ", ".join(differing.columns[differing.loc[g]])} for g in bad_groups]
    keep = ~folded.index.isin(bad_groups)
    folded, raws = folded[keep].reset_index(drop=True), raws[keep].reset_index(drop=True)
    return folded, raws, quarantine_frame(bad)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    file_version = version_from_name(path)
    chunks = read_records(path, delim=delim)
    first_records, first_rejects = next(chunks)
    present = [c for c in first_records.columns if c != "record_ref"]
    require_columns(path, present, REQUIRED, "is this a UCDP/PRIO Armed Conflict Dataset file?")
    peacesciencer = "location" not in present and "gwno_a" in present
    if not peacesciencer:
        require_columns(path, present, OFFICIAL_REQUIRED, "is this a UCDP/PRIO Armed Conflict Dataset file?")
    if peacesciencer:  # conflict-years may span chunk borders: read it all (the ACD is a few thousand lines)
        parts = [(first_records, first_rejects), *chunks]
        records = pd.concat([p[0] for p in parts], ignore_index=True)
        rejects = pd.concat([p[1] for p in parts], ignore_index=True)
        if records.empty:
            yield Batch(pd.DataFrame(columns=["record_ref"]), rejects, source_version=file_version)
            return
        records, raw, broken = _fold(path, records, delim)
        chk = Checker(records, path, raw=raw)
        good, quarantine = chk.split(canonical_rows(chk, file_version))
        yield Batch(good, pd.concat([rejects, broken, quarantine], ignore_index=True),
                    source_version=file_version)
        return
    for records, rejects in [(first_records, first_rejects), *chunks]:
        if records.empty:
            yield Batch(pd.DataFrame(columns=["record_ref"]), rejects, source_version=file_version)
            continue
        chk = Checker(records, path, delim=delim)
        good, quarantine = chk.split(canonical_rows(chk, file_version))
        version = file_version or (good["version"].mode().iloc[0] if good["version"].notna().any() else None)
        yield Batch(good, pd.concat([rejects, quarantine], ignore_index=True), source_version=version)


ADAPTER = Adapter(name="ucdp-acd", source="ucdp-acd", table="conflicts", version=VERSION,
                  formats="UCDP/PRIO ACD CSV (official 28 columns, ';' re-saves with d-m-yyyy dates, "
                          "peacesciencer conversion)", read=read, licence=LICENCE)
