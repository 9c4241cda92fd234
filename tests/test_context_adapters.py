"""SIPRI milex workbook, COW NMC, ATOP dyad-year and Archigos adapters: real files (SIPRI's only when present:
its terms forbid redistribution) with totals checked against an independent pandas reading, a workbook fixture
written here in SIPRI's layout, bad rows quarantined with reasons, re-ingest a no-op, wrong files SourceErrors."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from test_context_support import sipri_workbook

from signalfire.sources import SourceError, get
from signalfire.store.ingest import ingest_file

SIPRI = "military/SIPRI-Milex-data-1991-2024.xlsx"
NMC = "military/cow_nmc_v6.csv"
ATOP = "military/atop_alliance_dyad_year.csv.gz"
ARCHIGOS = "geo/archigos_leaders.csv"


def _balanced(result):
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined


def _fingerprint(store, table, where="TRUE"):
    return store.df(f"SELECT count(*) AS n, md5(string_agg(row_hash || record_ref, ',' ORDER BY row_hash, "
                    f"record_ref)) AS d FROM {table} WHERE {where}").iloc[0].tolist()


def _reingest_is_noop(store, adapter, path, table, where="TRUE"):
    before = _fingerprint(store, table, where)
    again = ingest_file(store, get(adapter), path)
    _balanced(again)
    assert again.status == "unchanged" and again.new == again.updated == 0
    assert _fingerprint(store, table, where) == before


# -- SIPRI: a workbook in the published layout -----------------------------------------------------------------

def test_sipri_fixture_layout_loads_with_reasons(store, tmp_path):
    path = sipri_workbook(tmp_path / "SIPRI-Milex-data-2021-2023.xlsx")
    result = ingest_file(store, get("sipri-milex"), path)
    _balanced(result)
    # 3 sheets x 5 country rows x 3 years (region headings are not records)
    assert result.read == 45
    assert result.source_version == "2021-2023 (constant 2023 US$)"
    q = store.df("SELECT record_ref, column_name, reason FROM quarantine ORDER BY reason")
    assert len(q) == result.quarantined == 3 * 3 + 3 * 3 + 3   # EU, Atlantis, Kosovo's 'n/a?' on each sheet
    assert q.reason.str.contains("an aggregate, not a country").sum() == 9
    assert q.reason.str.contains("unknown country name 'Atlantis'").sum() == 9
    bad = q[q.reason.str.contains("not a number")]
    assert len(bad) == 3 and set(bad.column_name) == {"2023"}
    assert "sheet 'Constant (2023) US$'" in " ".join(bad.reason)
    got = store.df("SELECT country_iso3 AS c, year, measure, value FROM country_year ORDER BY ALL")
    pol = got[(got.c == "POL") & (got.measure == "milex_constant_usd_m")]
    assert pol.value.tolist() == [12000.5, 13000.25, 26000.0]
    cze = got[(got.c == "CZE") & (got.measure == "milex_current_usd_m")].set_index("year").value
    assert pd.isna(cze[2021]) and cze[2022] == pytest.approx(3300.0)          # '...' is a NULL value
    assert pd.isna(got[(got.c == "XKX") & (got.year == 2021)].value).all()    # 'xxx' too
    assert set(got.measure) == {"milex_constant_usd_m", "milex_current_usd_m", "milex_share_gdp"}
    _reingest_is_noop(store, "sipri-milex", path, "country_year")


def test_sipri_wrong_workbooks_are_source_errors(tmp_path):
    from openpyxl import Workbook
    other = tmp_path / "other.xlsx"
    book = Workbook()
    book.active.title = "Data"
    book.active.append(["a", "b"])
    book.save(other)
    with pytest.raises(SourceError, match="no sheet named like SIPRI's"):
        list(get("sipri-milex").read(other))
    headless = tmp_path / "headless.xlsx"
    book = Workbook()
    book.active.title = "Constant (2023) US$"
    book.active.append(["Military expenditure"])
    book.save(headless)
    with pytest.raises(SourceError, match="no header row starting 'Country'"):
        list(get("sipri-milex").read(headless))
    text = tmp_path / "milex.csv"
    text.write_text("Country,2020\nPoland,1\n", encoding="utf-8")
    with pytest.raises(SourceError, match="not an Excel workbook"):
        list(get("sipri-milex").read(text))


def _sipri_pandas(path, sheet, skip):
    """An independent reading of one SIPRI sheet: pandas with the header row found by hand."""
    frame = pd.read_excel(path, sheet_name=sheet, header=skip)
    years = [c for c in frame.columns if isinstance(c, (int, float)) and 1900 < c < 2100]
    frame = frame[frame["Country"].notna() & frame[years].notna().any(axis=1)]
    frame = frame[~frame["Country"].isin(["European Union", "Yemen, North"])]
    values = frame.set_index("Country")[years].apply(pd.to_numeric, errors="coerce")
    return values, len(frame) * len(years)


def test_sipri_real_workbook_totals(store, shared_data):
    path = shared_data(SIPRI)
    result = ingest_file(store, get("sipri-milex"), path)
    _balanced(result)
    assert result.source_version == "1991-2023 (constant 2023 US$)"
    const, n_const = _sipri_pandas(path, "Constant (2023) US$", 5)
    gdp, n_gdp = _sipri_pandas(path, "Share of GDP", 5)
    got = store.df("SELECT measure, count(*) AS n, sum(value) AS total FROM country_year GROUP BY 1").set_index("measure")
    assert got.loc["milex_constant_usd_m", "n"] == n_const and got.loc["milex_share_gdp", "n"] == n_gdp
    assert got.loc["milex_constant_usd_m", "total"] == pytest.approx(const.sum().sum(), rel=1e-12)
    assert got.loc["milex_share_gdp", "total"] == pytest.approx(gdp.sum().sum(), rel=1e-12)
    pol = store.df("SELECT year, value FROM country_year WHERE country_iso3 = 'POL' AND measure = "
                   "'milex_constant_usd_m' ORDER BY year").set_index("year").value
    assert pol.to_dict() == pytest.approx({int(k): v for k, v in const.loc["Poland"].items()})
    reasons = store.df("SELECT reason FROM quarantine").reason
    assert reasons.str.contains("'European Union'|an aggregate").any()
    _reingest_is_noop(store, "sipri-milex", path, "country_year")


# -- COW NMC ----------------------------------------------------------------------------------------------------

def test_nmc_real_file_totals_and_reingest(store, shared_data):
    path = shared_data(NMC)
    expected = pd.read_csv(path)
    result = ingest_file(store, get("cow-nmc"), path)
    _balanced(result)
    measures = ["milex", "milper", "irst", "pec", "tpop", "upop", "cinc"]
    assert result.read == len(expected) * len(measures)
    # unresolved codes are historical states only (e.g. 300 Austria-Hungary, German states before 1871)
    q = store.df("SELECT DISTINCT regexp_extract(reason, 'COW code ''([0-9.]+)''', 1) AS code FROM quarantine "
                 "WHERE reason LIKE '%unknown COW code%'")
    assert set(q.code) <= {"240.0", "245.0", "267.0", "269.0", "271.0", "273.0", "275.0", "280.0", "300.0",
                           "329.0", "332.0", "335.0", "337.0", "730.0"}
    # 1990 has both the German Federal Republic (260) and Germany (255), the Yemen Arab Republic (678) and Yemen
    # (679): the second of each pair is quarantined as a repeated key, and named
    repeated = store.df("SELECT DISTINCT regexp_extract(reason, 'country_iso3=([A-Z]+)', 1) || "
                        "regexp_extract(reason, 'year=([0-9]+)', 1) AS k FROM quarantine "
                        "WHERE reason LIKE '%duplicate key%'").k
    assert set(repeated) == {"DEU1990", "YEM1990"}
    assert result.quarantined == \
        int(expected.ccode.isin([float(c) for c in q.code]).sum()) * len(measures) + 2 * len(measures)
    pol = expected[expected.ccode == 290]
    got = store.df("SELECT measure, sum(value) AS total, count(value) AS n FROM country_year "
                   "WHERE source = 'cow-nmc' AND country_iso3 = 'POL' GROUP BY 1").set_index("measure")
    for m in measures:
        assert got.loc[m, "total"] == pytest.approx(pol[m].sum()) and got.loc[m, "n"] == pol[m].notna().sum()
    _reingest_is_noop(store, "cow-nmc", path, "country_year")


# -- ATOP -------------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_atop_real_file_totals_and_reingest(store, shared_data):
    path = shared_data(ATOP)
    expected = pd.read_csv(path)
    result = ingest_file(store, get("atop-dyads"), path)
    _balanced(result)
    measures = ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]
    assert result.read == len(expected) * len(measures)
    pol = expected[(expected.ccode1 == 290) & (expected.year == 2018)]
    got = store.df("SELECT measure, sum(value) AS total, count(*) AS n FROM dyad_year WHERE country_a_iso3 = 'POL' "
                   "AND year = 2018 GROUP BY 1").set_index("measure")
    for m in measures:
        assert got.loc[m, "total"] == pol[m].sum() and got.loc[m, "n"] == len(pol)
    assert store.df("SELECT count(*) AS n FROM dyad_year").n[0] == result.new


def test_atop_reingest_of_a_real_slice_is_a_noop(store, shared_data, tmp_path):
    """Re-ingest on the first 5,000 lines of the real file (the whole file takes minutes twice over)."""
    path = shared_data(ATOP)
    part = tmp_path / "atop_part.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as src, gzip.open(part, "wt", encoding="utf-8") as dst:
        for number, line in enumerate(src):
            if number > 5_000:
                break
            dst.write(line)
    first = ingest_file(store, get("atop-dyads"), part)
    _balanced(first)
    assert first.read == 5_000 * 5
    _reingest_is_noop(store, "atop-dyads", part, "dyad_year")


def test_atop_bad_values_quarantined(store, tmp_path):
    path = tmp_path / "atop_small.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("ccode1,ccode2,year,atop_defense,atop_offense,atop_neutral,atop_nonagg,atop_consul\n"
                 "290.0,2.0,2018.0,1.0,0.0,0.0,1.0,1.0\n"
                 "290.0,2.0,2017.0,2.0,0.0,0.0,1.0,1.0\n"
                 "290.0,9999.0,2018.0,1.0,0.0,0.0,1.0,1.0\n")
    result = ingest_file(store, get("atop-dyads"), path)
    _balanced(result)
    assert (result.read, result.new, result.quarantined) == (15, 5, 10)
    reasons = store.df("SELECT reason FROM quarantine").reason
    assert reasons.str.contains("line 3, column atop_defense: not 0 or 1: '2.0'").sum() == 5
    assert reasons.str.contains("line 4, column ccode2: unknown COW code '9999.0'").sum() == 5


# -- Archigos ---------------------------------------------------------------------------------------------------

def test_archigos_real_file_totals_and_reingest(store, shared_data):
    path = shared_data(ARCHIGOS)
    expected = pd.read_csv(path)
    result = ingest_file(store, get("archigos"), path)
    _balanced(result)
    assert result.read == len(expected)
    unresolved = store.df("SELECT DISTINCT regexp_extract(reason, 'code ''([0-9.]+)''', 1) AS c FROM quarantine").c
    assert set(unresolved) <= {"245.0", "300.0", "563.0", "564.0", "711.0", "730.0", "815.0"}
    assert result.new == len(expected) - expected.gwcode.isin([float(c) for c in unresolved]).sum()
    got = store.df("SELECT leader, start_date FROM leaders WHERE country_iso3 = 'POL' ORDER BY start_date, spell_id")
    want = expected[expected.gwcode == 290].sort_values(["startdate", "obsid"])
    assert got.leader.tolist() == want.leader.tolist()
    assert store.df("SELECT count(*) AS n FROM leaders WHERE country_iso3 = 'DEU'").n[0] == \
        int(expected.gwcode.isin([255, 260]).sum())
    _reingest_is_noop(store, "archigos", path, "leaders")


def test_archigos_bad_rows_and_wrong_file(store, tmp_path):
    path = tmp_path / "leaders.csv"
    path.write_text("obsid,gwcode,leadid,leader,yrborn,gender,startdate,enddate,entry,exit,exitcode\n"
                    "POL-2015,290,id-1,Duda,1972,M,2015-08-06,2015-12-31,Regular,Regular,Regular\n"
                    "POL-X,290,id-2,Backwards,1972,M,2015-08-06,2014-12-31,Regular,Regular,Regular\n"
                    "POL-Y,290,id-3,NoDate,1972,M,06/08/2015,2015-12-31,Regular,Regular,Regular\n", encoding="utf-8")
    result = ingest_file(store, get("archigos"), path)
    _balanced(result)
    assert (result.new, result.quarantined) == (1, 2)
    reasons = store.df("SELECT reason FROM quarantine ORDER BY record_ref").reason.tolist()
    assert "line 3, column enddate: the spell ends before it starts" in reasons[0]
    assert "line 4, column startdate: not a date: '06/08/2015'" in reasons[1]
    other = tmp_path / "other.csv"
    other.write_text("x,y\n1,2\n", encoding="utf-8")
    for name in ("archigos", "cow-nmc", "atop-dyads"):
        with pytest.raises(SourceError, match="missing required column"):
            list(get(name).read(other))
