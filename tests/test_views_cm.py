"""VIEWS country-month adapter: the shipped ged_cm file and challenge parquet files load, totals match an
independent pandas reading, historical states keep their codes, bad input is quarantined or a clear error."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from signalfire.demo import demo_files
from signalfire.sources import get
from signalfire.sources.base import SourceError
from signalfire.store.ingest import ingest_file

ADAPTER = get("views-cm")


@pytest.fixture(scope="module")
def ged_cm():
    return next(p for a, p in demo_files() if a == "views-cm")


@pytest.fixture(scope="module")
def lines(ged_cm):
    with gzip.open(ged_cm, "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def _balanced(r):
    return r.read == r.new + r.updated + r.unchanged + r.quarantined


def _write(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n")
    return path


def test_full_file_loads_with_totals_and_ids(store, ged_cm):
    result = ingest_file(store, ADAPTER, ged_cm)
    raw = pd.read_csv(ged_cm)
    assert result.read == len(raw) == 76608 and _balanced(result)
    # VIEWS keeps old and new ids of a state side by side in its transition month: same ISO3 and month
    assert result.quarantined == 10
    reasons = list(store.df("SELECT reason FROM quarantine").reason)
    assert all("duplicate key" in r for r in reasons) and any("country_iso3=SDN, month_id=379" in r for r in reasons)
    # … and VIEWS counts each event under one of the two ids: the larger value is kept (here the other is always 0)
    want = raw.groupby(["isoab", "month_id", "year"])["ucdp_ged_sb_best_sum"].max().groupby("year").sum()
    assert (raw["ucdp_ged_sb_best_sum"] > 0).groupby([raw["isoab"], raw["month_id"]]).sum().max() == 1
    kept = store.df("SELECT country_iso3 AS iso, month_id, value FROM country_month WHERE (country_iso3, month_id) "
                    "IN (('YUG', 143), ('IDN', 269), ('SDN', 379))")
    assert dict(zip(zip(kept.iso, kept.month_id), kept.value)) == {("YUG", 143): 839, ("IDN", 269): 47, ("SDN", 379): 5}
    got = store.df("SELECT year, sum(value) AS v FROM country_month GROUP BY year ORDER BY year")
    assert dict(zip(got.year, got.v)) == pytest.approx(want.to_dict())
    # ids, ISO3 (ISO 3166-3 for historical states) and GW codes are all kept
    ids = store.df("SELECT DISTINCT views_country_id AS id, country_iso3 AS iso, country_gw AS gw FROM country_month")
    pairs = set(zip(ids.id, ids.iso))
    assert {(245, "SDN"), (246, "SSD"), (189, "SUN"), (188, "YUG"), (227, "SCG"), (186, "DDR"), (65, "RUS"),
            (117, "UKR")} <= pairs
    assert dict(zip(ids.iso, ids.gw))["SSD"] == 626
    ukr = store.df("SELECT value FROM country_month WHERE country_iso3 = 'UKR' AND year = 2022 AND month = 3")
    assert ukr.value[0] == raw.query("isoab == 'UKR' and year == 2022 and month == 3").ucdp_ged_sb_best_sum.iloc[0]


def test_reingest_is_a_noop(store, tmp_path, lines):
    path = _write(tmp_path, "ged_cm.csv", lines[:3001])
    first = ingest_file(store, ADAPTER, path)
    before = store.df("SELECT * FROM country_month ORDER BY country_iso3, month_id")
    second = ingest_file(store, ADAPTER, path)
    # the first 3,000 records hold 3 transition-month duplicates (quarantined, see the full-file test)
    assert (first.new, first.quarantined) == (2997, 3)
    assert (second.new, second.updated, second.unchanged, second.quarantined) == (0, 0, 2997, 3)
    assert second.status == "unchanged"
    pd.testing.assert_frame_equal(before, store.df("SELECT * FROM country_month ORDER BY country_iso3, month_id"))


def test_without_index_column_and_plain_semicolon_file(store, tmp_path, lines):
    frame = pd.read_csv(pd.io.common.StringIO("\n".join(lines[:401])), index_col=0)
    path = tmp_path / "ged_cm_semicolon.csv"
    frame.to_csv(path, sep=";", index=False)
    result = ingest_file(store, ADAPTER, path)
    assert (result.read, result.new, result.quarantined) == (400, 400, 0)
    assert store.df("SELECT sum(value) AS v FROM country_month").v[0] == frame.ucdp_ged_sb_best_sum.sum()


def test_garbage_values_are_quarantined_with_reasons(store, tmp_path, lines):
    header, good = lines[0], lines[1:6]
    bad = [
        "9001,1,abc,Guyana,110,GUY,1990,1,0.0",          # month_id not a number
        "9002,1,121,Guyana,110,GUY,1990,1,-5",           # negative deaths
        "9003,1,121,Atlantis,999,ATL,1990,1,3.0",        # unknown country
        "9004,2,121,Suriname,115,SUR,1991,1,0.0",        # year disagrees with month_id
        "9005,3,121,Trinidad and Tobago,52,TTO,1990,1,",  # missing value
    ]
    path = _write(tmp_path, "ged_cm_bad.csv", [header, *good, *bad])
    result = ingest_file(store, ADAPTER, path)
    assert _balanced(result) and (result.new, result.quarantined) == (5, 5)
    reasons = store.df("SELECT record_ref, reason FROM quarantine ORDER BY record_ref")
    text = " | ".join(reasons.reason)
    assert "column month_id: not a number: 'abc'" in text
    assert "column ucdp_ged_sb_best_sum: below 0" in text
    assert "column isoab" in text and "ATL" in text
    assert "column year: does not match month_id" in text
    assert "column ucdp_ged_sb_best_sum: missing value" in text
    assert all(r.startswith("ged_cm_bad.csv, line ") for r in reasons.reason)


def test_truncated_line_is_quarantined(store, tmp_path, lines):
    text = "\n".join(lines[:11])
    path = tmp_path / "ged_cm_cut.csv"
    path.write_text(text[:-12])  # the last record loses its last columns
    result = ingest_file(store, ADAPTER, path)
    assert _balanced(result) and result.read == 10 and result.quarantined == 1


def test_truncated_gzip_is_a_clear_error(store, tmp_path, lines):
    data = gzip.compress(("\n".join(lines[:5000]) + "\n").encode())
    path = tmp_path / "ged_cm.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="ged_cm.csv.gz"):
        ingest_file(store, ADAPTER, path)
    assert store.df("SELECT count(*) AS n FROM country_month").n[0] == 0


def test_missing_columns_is_a_clear_error(store, tmp_path, lines):
    path = _write(tmp_path, "not_views.csv", ["country_id,year,month,deaths", "1,1990,1,0"])
    with pytest.raises(SourceError, match="missing required column.*month_id"):
        ingest_file(store, ADAPTER, path)
    tab = _write(tmp_path, "views_tab.csv", [ln.replace(",", "\t") for ln in lines[:5]])
    # a tab-separated re-save is sniffed and reads the same
    assert ingest_file(store, ADAPTER, tab).new == 4


def test_challenge_parquet_layouts(store, tmp_path):
    # invented rows in the challenge layouts: actuals indexed by (month_id, country_id); features with ged_sb
    actuals = pd.DataFrame({"month_id": [517, 517, 518], "country_id": [57, 245, 999], "outcome": [12, 0, 3]})
    actuals.set_index(["month_id", "country_id"]).to_parquet(tmp_path / "cm_actuals_2023.parquet")
    result = ingest_file(store, ADAPTER, tmp_path / "cm_actuals_2023.parquet")
    assert (result.read, result.new, result.quarantined) == (3, 2, 1)
    assert "unknown VIEWS country_id: '999'" in store.df("SELECT reason FROM quarantine").reason[0]
    got = store.df("SELECT country_iso3, country_gw, year, month, value FROM country_month ORDER BY country_iso3")
    assert list(got.country_iso3) == ["ETH", "SDN"] and list(got.year) == [2023, 2023] and got.value[0] == 12
    feats = pd.DataFrame({"month_id": [517], "country_id": [57], "gleditsch_ward": [530], "ged_sb": [15.0],
                          "ged_ns": [1.0]})
    result = ingest_file(store, ADAPTER, feats.to_parquet(tmp_path / "features.parquet") or tmp_path / "features.parquet")
    assert (result.new, result.updated) == (0, 1)  # a newer value for Ethiopia, 2023-01
    garbage = tmp_path / "broken.parquet"
    garbage.write_bytes(b"PAR1" + b"\0" * 100)
    with pytest.raises(SourceError, match="broken.parquet"):
        ingest_file(store, ADAPTER, garbage)


def test_real_challenge_actuals_match_ged_cm(store, shared_data, ged_cm):
    ingest_file(store, ADAPTER, ged_cm)
    result = ingest_file(store, ADAPTER, shared_data("views/challenge_actuals/cm_actuals_2022.parquet"))
    # PROVENANCE: the actuals equal ged_cm on every shared row
    assert (result.read, result.unchanged, result.quarantined) == (2292, 2292, 0)
