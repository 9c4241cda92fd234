"""GDELT event exports: the real 1.0 sample, hand-made 57/61-field fixtures (plain and zipped), re-ingest."""

from __future__ import annotations

import pandas as pd
import pytest

from signalfire.geo.countries import resolve
from signalfire.sources import get
from signalfire.sources.base import SourceError
from signalfire.sources.gdelt import LAYOUTS, cameo, detect_layout, read
from signalfire.store.ingest import ingest_file

SAMPLE = "gdelt/gdelt1_events_20160728_sample.tsv"


def _all(path):
    batches = list(read(path))
    rows = pd.concat([b.rows for b in batches], ignore_index=True)
    quarantine = pd.concat([b.quarantine for b in batches], ignore_index=True)
    assert sum(b.read for b in batches) == len(rows) + len(quarantine)
    return rows, quarantine


def _expected_category(root: str) -> str | None:
    n = int(root) if root.isdigit() else -1
    if 1 <= n <= 9:
        return "cooperation"
    if 10 <= n <= 13 or 15 <= n <= 17:
        return "tension"
    if n == 14:
        return "unrest"
    if 18 <= n <= 20:
        return "armed_conflict"
    return None


def test_layouts_have_documented_widths():
    assert {k: len(v) for k, v in LAYOUTS.items()} == {57: 57, 58: 58, 61: 61}
    assert LAYOUTS[61][LAYOUTS[61].index("ActionGeo_ADM1Code") + 1] == "ActionGeo_ADM2Code"
    assert LAYOUTS[58][-2:] == ["DATEADDED", "SOURCEURL"] and LAYOUTS[57][-1] == "DATEADDED"


def test_cameo_table_from_codebook():
    table = cameo()
    assert table["14"] == "PROTEST" and table["190"].startswith("Use conventional military force")
    assert table["0834"] == "Accede to demands for change in institutions, regime"
    assert "1" not in table  # quad-class headings are not event codes


def test_real_sample_matches_independent_pandas_reading(shared_data):
    path = shared_data(SAMPLE)
    raw = pd.read_csv(path, sep="\t", header=None, dtype=str, keep_default_na=False, quoting=3,
                      names=range(58)).fillna("")
    # 1.0 layout: geo blocks of 7 fields at 35 (Actor1Geo), 42 (Actor2Geo), 49 (ActionGeo); country code 3rd
    code = raw[51].where(raw[51] != "", raw[37].where(raw[37] != "", raw[44]))
    resolved = {c: (resolve(c, "fips").iso3 if c and resolve(c, "fips") else None) for c in code.unique()}
    iso3 = code.map(resolved)
    located = iso3.notna()
    rows, quarantine = _all(path)
    assert len(rows) + len(quarantine) == len(raw) == 710
    assert len(rows) == located.sum()
    assert sorted(rows["source_id"]) == sorted(raw.loc[located, 0])
    expected = raw.loc[located, 28].map(_expected_category).value_counts().sort_index()
    got = rows["category"].value_counts().sort_index()
    assert got.to_dict() == expected.to_dict()
    by_id = rows.set_index("source_id")
    assert (by_id["country_iso3"] == pd.Series(iso3[located].to_numpy(), index=raw.loc[located, 0])
            .reindex(by_id.index)).all()
    # every unlocated event is quarantined with a reason, nothing silently dropped
    no_geo = (code == "").sum()
    assert quarantine["reason"].str.contains("no location").sum() == no_geo
    assert set(quarantine["record_ref"]) == {f"line {i + 1}" for i in raw.index[~located]}
    # the 201 back-file rows (57 fields) inside this daily-layout sample are read, not rejected
    assert rows["source_reference"].isna().sum() == (raw.loc[located, 57] == "").sum() > 0


def test_real_sample_fields(shared_data):
    rows, _ = _all(shared_data(SAMPLE))
    first = rows.set_index("source_id").loc["564111644"]
    assert first["category"] == "cooperation" and first["subtype"] == "Make statement, not specified below"
    assert first["country_iso3"] == "USA" and first["geo_precision"] == "exact"
    assert str(first["date_start"]) == "2006-07-31" and first["source_version"] == "20160728"
    assert first["latitude"] == pytest.approx(38.8973) and first["longitude"] == pytest.approx(-77.0083)
    assert first["source_reference"].startswith("http://wtop.com/")
    assert first["description"] == "UNITED STATES: Make statement, not specified below"
    assert rows["fatalities_best"].isna().all()


def test_fips_codes_resolve():
    for fips, iso3 in {"UP": "UKR", "PL": "POL", "RS": "RUS", "OD": "SSD", "GZ": "PSE", "IS": "ISR"}.items():
        assert resolve(fips, "fips").iso3 == iso3


def test_gdelt2_fixture(fixtures_dir):
    path = fixtures_dir / "gdelt_v2_20220301.export.CSV"
    assert detect_layout(path) == 61
    rows, quarantine = _all(path)
    assert len(rows) == 5 and len(quarantine) == 1
    assert "no location" in quarantine.iloc[0]["reason"] and quarantine.iloc[0]["record_ref"] == "line 6"
    by_id = rows.set_index("source_id")
    kharkiv = by_id.loc["1100000001"]
    assert (kharkiv["country_iso3"], kharkiv["category"], kharkiv["admin2"]) == ("UKR", "armed_conflict", "UP07012")
    assert kharkiv["source_version"] == "20220301121500" and kharkiv["description"].startswith("RUSSIA → UKRAINE: ")
    assert by_id.loc["1100000002", ["country_iso3", "category"]].tolist() == ["POL", "unrest"]
    assert by_id.loc["1100000003", "category"] == "cooperation"
    # no ActionGeo: falls back to Actor1Geo, then Actor2Geo (here Israel)
    israel = by_id.loc["1100000004"]
    assert (israel["country_iso3"], israel["category"], israel["geo_precision"]) == ("ISR", "tension", "country")
    assert israel["latitude"] == pytest.approx(31.5)
    assert by_id.loc["1100000005", ["country_iso3", "category", "geo_precision"]].tolist() == \
        ["USA", "tension", "exact"]


def test_zipped_equals_plain(fixtures_dir):
    plain, q1 = _all(fixtures_dir / "gdelt_v2_20220301.export.CSV")
    zipped, q2 = _all(fixtures_dir / "gdelt_v2_20220301.export.CSV.zip")
    pd.testing.assert_frame_equal(plain, zipped)
    assert q1["record_ref"].tolist() == q2["record_ref"].tolist()


def test_gdelt1_historical_fixture(fixtures_dir):
    path = fixtures_dir / "gdelt_v1_historical_2005.tsv"
    assert detect_layout(path) == 57
    rows, quarantine = _all(path)
    assert len(rows) == 4 and len(quarantine) == 1
    by_id = rows.set_index("source_id")
    assert by_id.loc["2000001", ["country_iso3", "category"]].tolist() == ["SRB", "armed_conflict"]
    assert by_id.loc["2000004", "country_iso3"] == "SSD"
    assert by_id.loc["2000003", ["country_iso3", "category"]].tolist() == ["KWT", "tension"]
    assert rows["source_reference"].isna().all() and (rows["source_version"] == "20130203").all()


def test_ingest_and_reingest_is_noop(store, fixtures_dir):
    adapter = get("gdelt")
    first = ingest_file(store, adapter, fixtures_dir / "gdelt_v2_20220301.export.CSV.zip")
    assert (first.read, first.new, first.quarantined, first.status) == (6, 5, 1, "loaded")
    again = ingest_file(store, adapter, fixtures_dir / "gdelt_v2_20220301.export.CSV.zip")
    assert (again.new, again.updated, again.unchanged, again.status) == (0, 0, 5, "unchanged")
    plain = ingest_file(store, adapter, fixtures_dir / "gdelt_v2_20220301.export.CSV")
    assert (plain.new, plain.updated, plain.unchanged) == (0, 0, 5)
    n, = store.con.execute("SELECT count(*) FROM events WHERE source = 'gdelt'").fetchone()
    assert n == 5


def test_not_a_gdelt_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(SourceError, match="line 1: 1 tab-separated fields"):
        list(read(path))
    empty = tmp_path / "empty.CSV"
    empty.write_text("")
    with pytest.raises(SourceError, match="empty"):
        list(read(empty))
