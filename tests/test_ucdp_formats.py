"""UCDP GED GeoJSON, ACD, Country-Year and BRD adapters: real files load, totals match an independent pandas
reading, re-ingest is a no-op, GeoJSON and CSV of the same event are one record, and the CLI prints counts."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from signalfire.sources import get
from signalfire.store.ingest import ingest_file


def _balanced(result):
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined


def _fingerprint(store, table, order):
    """Row count and a digest of every stored row (content hash, run and record_ref), in key order."""
    return store.df(f"SELECT count(*) AS n, md5(string_agg(row_hash || '|' || run_id || '|' || record_ref, ',' "
                    f"ORDER BY {order})) AS digest FROM {table}").iloc[0].tolist()


def _reingest_is_noop(store, adapter, path, table, order):
    before = _fingerprint(store, table, order)
    runs = store.df("SELECT count(*) AS n FROM ingest_runs").n[0]
    again = ingest_file(store, get(adapter), path)
    _balanced(again)
    assert again.status == "unchanged" and again.new == again.updated == 0
    assert again.unchanged == before[0]
    assert store.df("SELECT count(*) AS n FROM ingest_runs").n[0] == runs
    assert _fingerprint(store, table, order) == before


def _serbia(gw, year):
    """UCDP keeps GW 345 for Serbia after 2006; the store carries Serbia's current GW code 340 then (yearly data
    resolve codes as of 1 July, so 2006 — Montenegro left on 3 June — is already Serbia)."""
    return 340 if gw == 345 and year >= 2006 else gw


# -- GED GeoJSON ---------------------------------------------------------------------------------------------

def _geojson_frame(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    props = pd.json_normalize([f["properties"] for f in doc["features"]])
    props["lon"] = [f["geometry"]["coordinates"][0] for f in doc["features"]]
    props["lat"] = [f["geometry"]["coordinates"][1] for f in doc["features"]]
    return props


def test_geojson_real_file_totals_and_reingest(store, shared_data):
    path = shared_data("ucdp/ged_v23_1_central_african_republic.geojson")
    result = ingest_file(store, get("ucdp-ged-geojson"), path)
    expected = _geojson_frame(path)
    _balanced(result)
    assert result.read == len(expected) == 1848
    assert (result.new, result.quarantined, result.source_version) == (1848, 0, "23.1")
    assert store.df("SELECT DISTINCT source FROM events").source.tolist() == ["ucdp-ged"]
    got = store.df("SELECT country_gw AS gw, year(date_start) AS y, sum(fatalities_best) AS f FROM events "
                   "GROUP BY ALL").set_index(["gw", "y"])["f"]
    want = expected.groupby(["country_id", "year"])["best"].sum()
    assert got.sort_index().to_dict() == want.sort_index().to_dict()
    # coordinates come from the Point geometry, record_ref is the feature's position
    sample = expected.iloc[[0, 917, 1847]]
    stored = store.df("SELECT CAST(source_id AS BIGINT) AS id, longitude, latitude, record_ref FROM events")
    stored = stored.set_index("id").loc[sample["id"]]
    assert stored["longitude"].tolist() == sample["lon"].tolist()
    assert stored["latitude"].tolist() == sample["lat"].tolist()
    assert stored["record_ref"].tolist() == ["feature 1", "feature 918", "feature 1848"]
    _reingest_is_noop(store, "ucdp-ged-geojson", path, "events", "source_id")


def test_geojson_and_csv_of_the_same_event_are_one_record(store, shared_data):
    csv_path = shared_data("ucdp/ged_v23_1_sample1000.csv")
    geo_path = shared_data("ucdp/ged_v23_1_central_african_republic.geojson")
    csv_ids = set(pd.read_csv(csv_path, usecols=["id"])["id"].astype(int))
    geo_ids = set(_geojson_frame(geo_path)["id"].astype(int))
    common = csv_ids & geo_ids
    assert len(common) == 6
    ingest_file(store, get("ucdp-ged"), csv_path)
    before = store.df("SELECT * EXCLUDE (run_id, record_ref) FROM events ORDER BY source_id")
    result = ingest_file(store, get("ucdp-ged-geojson"), geo_path)
    _balanced(result)
    # the shared events map to exactly the same content: unchanged, not new and not updated
    assert (result.new, result.updated, result.unchanged) == (1848 - 6, 0, 6)
    assert store.df("SELECT count(*) AS n FROM events").n[0] == len(csv_ids | geo_ids)
    after = store.df("SELECT * EXCLUDE (run_id, record_ref) FROM events ORDER BY source_id")
    shared = [str(i) for i in sorted(common)]
    pd.testing.assert_frame_equal(before[before.source_id.isin(shared)].reset_index(drop=True),
                                  after[after.source_id.isin(shared)].reset_index(drop=True))


def test_geojson_fixture_maps_properties_and_geometry(store, fixtures_dir):
    result = ingest_file(store, get("ucdp-ged-geojson"), fixtures_dir / "ucdp_ged_sample.geojson")
    assert (result.read, result.new, result.quarantined) == (3, 3, 0)
    got = store.df("SELECT source_id, category, date_start, longitude, latitude, admin1, fatalities_high "
                   "FROM events ORDER BY source_id")
    assert got.source_id.tolist() == ["990001", "990002", "990003"]
    assert got.category.tolist() == ["armed_conflict", "violence_against_civilians", "armed_conflict"]
    assert str(got.date_start[1])[:10] == "2019-07-15"
    assert (got.longitude[0], got.latitude[0], got.admin1[0], got.fatalities_high[2]) == (18.55, 4.36, "Bangui", 14)


# -- ACD -----------------------------------------------------------------------------------------------------

def test_acd_semicolon_resave_split_record_is_quarantined(store, shared_data):
    path = shared_data("ucdp/UcdpPrioConflict_v25_1_semicolon.csv")
    result = ingest_file(store, get("ucdp-acd"), path)
    _balanced(result)
    expected = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    assert result.read == len(expected) == 2752
    assert (result.new, result.quarantined, result.source_version) == (2750, 2, "25.1")
    q = store.df("SELECT record_ref, column_name, reason FROM quarantine ORDER BY record_ref")
    assert q.record_ref.tolist() == ["line 42", "line 43"]
    assert "record ends after column territory_name" in q.reason[0] and "split" in q.reason[0]
    assert "the rest on line 43" in q.reason[0]
    assert "column-shifted" in q.reason[1] and "'2008'" in q.reason[1] and "begun on line 42" in q.reason[1]
    # conflict-years per year match pandas, leaving out the two broken lines (file lines 42 and 43)
    clean = expected.drop(index=[40, 41])
    want = clean.groupby(clean["year"].astype(int)).size()
    got = store.df("SELECT year, count(*) AS n FROM conflicts GROUP BY year").set_index("year")["n"]
    assert got.sort_index().to_dict() == want.to_dict()
    # d-m-yyyy dates, code lists and GW -> ISO3 by year
    row = store.df("SELECT * FROM conflicts WHERE conflict_id = 11342 AND year = 2012").iloc[0]
    assert (str(row.start_date)[:10], str(row.ep_end_date)[:10], row.location_iso3) == (
        "1997-05-29", "2012-12-21", "IND")
    iso = dict(store.df("SELECT gwno_loc || '@' || year AS k, location_iso3 FROM conflicts "
                        "WHERE gwno_loc IN ('345', '365', '625, 626', '750, 751')").values)
    assert iso["345@1991"] == "YUG" and iso["345@1999"] == "SCG"
    assert iso["365@1946"] == "SUN" and iso["365@2024"] == "RUS"
    assert iso["625, 626@2012"] == "SDN, SSD" and iso["750, 751@1948"] == "IND"  # Hyderabad has no ISO code
    _reingest_is_noop(store, "ucdp-acd", path, "conflicts", "conflict_id, year")


def test_acd_peacesciencer_folds_lines_and_maps_text_codes(store, shared_data):
    path = shared_data("ucdp/ucdp_acd_peacesciencer.csv")
    result = ingest_file(store, get("ucdp-acd"), path)
    _balanced(result)
    expected = pd.read_csv(path)
    years = expected.drop_duplicates(["conflict_id", "year"])
    assert result.read == len(years) == 2752 and result.quarantined == 0
    got = store.df("SELECT year, count(*) AS n FROM conflicts GROUP BY year").set_index("year")["n"]
    assert got.sort_index().to_dict() == years.groupby(years["year"].astype(int)).size().to_dict()
    codes = store.df("SELECT incompatibility AS i, type_of_conflict AS t, count(*) AS n FROM conflicts GROUP BY ALL")
    want = years.groupby(["incompatibility", "type_of_conflict"]).size()
    names_i = {"territory": 1, "government": 2, "both": 3}
    names_t = {"extrasystemic": 1, "interstate": 2, "intrastate": 3, "II": 4}
    assert {(names_i[i], names_t[t]): n for (i, t), n in want.items()} == {
        (r.i, r.t): r.n for r in codes.itertuples()}
    mali = store.df("SELECT * FROM conflicts WHERE conflict_id = 11347 AND year = 2024").iloc[0]
    lines = expected[(expected.conflict_id == 11347) & (expected.year == 2024)]
    assert mali.gwno_a_2nd == ", ".join(str(int(v)) for v in lines.gwno_a_2nd)
    assert mali.record_ref == f"lines {lines.index[0] + 2}-{lines.index[-1] + 2}"
    assert mali.location is None and mali.location_iso3 is None


def test_acd_layouts_agree_on_shared_columns(store, shared_data):
    semi = shared_data("ucdp/UcdpPrioConflict_v25_1_semicolon.csv")
    peace = shared_data("ucdp/ucdp_acd_peacesciencer.csv")
    cols = ("conflict_id, year, incompatibility, intensity_level, type_of_conflict, start_date, start_prec, "
            "start_date2, start_prec2, ep_end, ep_end_date, gwno_a, gwno_a_2nd, gwno_b, gwno_b_2nd")
    ingest_file(store, get("ucdp-acd"), semi)
    first = store.df(f"SELECT {cols} FROM conflicts ORDER BY conflict_id, year")
    result = ingest_file(store, get("ucdp-acd"), peace)
    # new: the record the semicolon re-save split (11349/2008) and the one it lost (11350/2005); every other
    # conflict-year is "updated" only by what peacesciencer lacks (location, sides, gwno_loc, version...)
    assert (result.new, result.updated) == (2, 2750)
    second = store.df(f"SELECT {cols} FROM conflicts ORDER BY conflict_id, year")
    merged = second.merge(first, on=["conflict_id", "year"], how="left", indicator=True)
    only = merged[merged._merge == "left_only"][["conflict_id", "year"]].values.tolist()
    assert only == [[11349, 2008], [11350, 2005]]
    keys = second.conflict_id.astype(str) + "/" + second.year.astype(str)
    pd.testing.assert_frame_equal(second[~keys.isin(["11349/2008", "11350/2005"])].reset_index(drop=True), first)


def test_acd_official_layout_fixture(store, fixtures_dir):
    result = ingest_file(store, get("ucdp-acd"), fixtures_dir / "ucdp_acd_official_sample.csv")
    assert (result.read, result.new, result.quarantined, result.source_version) == (8, 8, 0, "25.1")
    got = store.df("SELECT * FROM conflicts ORDER BY conflict_id, year").set_index(["conflict_id", "year"])
    assert got.loc[(90001, 2020), "gwno_a_2nd"] == "220, 483"
    assert got.loc[(90001, 2020), "side_a_2nd"] == "Government of France, Government of Chad"
    assert str(got.loc[(90001, 2020), "ep_end_date"])[:10] == "2020-11-30"
    assert got.loc[(90002, 2021), "location_iso3"] == "MLI, NER"
    assert (got.loc[(90003, 1994), "location_iso3"], got.loc[(90003, 2008), "location_iso3"]) == ("SCG", "SRB")
    assert got.loc[(90004, 1955), "region"] == "1, 3"
    assert got.loc[(90005, 1948), "gwno_loc"] == "751" and pd.isna(got.loc[(90005, 1948), "location_iso3"])
    assert got.loc[(90006, 1989), "location_iso3"] == "SUN"
    assert got["incompatibility"].tolist() == [2, 2, 1, 3, 3, 1, 2, 2]
    assert got["type_of_conflict"].tolist() == [3, 4, 2, 3, 3, 1, 3, 3]


# -- Country-Year --------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_cy_real_file_long_form_totals_and_reingest(store, shared_data):
    from signalfire.sources.ucdp.ucdp_cy import measure_columns
    path = shared_data("ucdp/organizedviolencecy_v25_1.csv")
    result = ingest_file(store, get("ucdp-cy"), path)
    _balanced(result)
    expected = pd.read_csv(path)
    measures = measure_columns(list(expected.columns))
    assert len(measures) == 58 and "sb_dyad_ids_cy" not in measures and "country_cy" not in measures
    assert result.read == len(expected) * 58 == result.new and result.quarantined == 0
    assert result.source_version == "25.1"
    got = store.df("SELECT country_gw AS gw, year, value FROM country_year WHERE measure = 'sb_total_deaths_best'")
    got = got.set_index(["gw", "year"])["value"]
    want = {(_serbia(g, y), y): float(v) for g, y, v in zip(expected.country_id_cy, expected.year_cy,
                                                            expected.sb_total_deaths_best_cy)}
    assert got.to_dict() == want
    sums = store.df("SELECT measure, sum(value) AS v FROM country_year GROUP BY measure").set_index("measure")["v"]
    assert sums.to_dict() == {c[:-3]: float(expected[c].sum()) for c in measures}
    _reingest_is_noop(store, "ucdp-cy", path, "country_year", "country_iso3, year, measure")


def test_cy_fixture(store, fixtures_dir):
    path = fixtures_dir / "ucdp_cy_sample.csv"
    result = ingest_file(store, get("ucdp-cy"), path)
    assert (result.read, result.new, result.quarantined) == (5 * 58, 5 * 58, 0)
    gw = store.df("SELECT DISTINCT country_iso3, country_gw, year FROM country_year ORDER BY year")
    assert gw.values.tolist() == [["SUN", 365, 1990], ["SCG", 345, 2005], ["SRB", 340, 2008], ["MLI", 432, 2020],
                                  ["MLI", 432, 2021]]
    expected = pd.read_csv(path)
    got = store.df("SELECT value FROM country_year WHERE country_iso3 = 'MLI' AND year = 2021 "
                   "AND measure = 'os_total_deaths_high'").value[0]
    assert got == expected.loc[1, "os_total_deaths_high_cy"]


# -- BRD -----------------------------------------------------------------------------------------------------

def _brd_expected(path):
    frame = pd.read_csv(path, dtype={"gwno_battle": str})
    frame["codes"] = frame["gwno_battle"].str.split(", ").map(lambda c: sorted({int(x) for x in c}))
    frame["line"] = frame.index + 2
    long = frame.explode("codes").rename(columns={"codes": "gw"})
    long["gw"] = [_serbia(int(g), y) for g, y in zip(long.gw, long.year)]
    long["shared"] = long["line"].map(frame.set_index("line")["codes"].map(len)) > 1
    return frame, long


def _brd_measures(long):
    out = {}
    for shared, suffix in ((False, ""), (True, "_shared")):
        part = long[long.shared == shared].groupby(["gw", "year"])
        for col in ("bd_best", "bd_low", "bd_high"):
            for key, v in part[col].sum().items():
                out[(*key, col + suffix)] = float(v)
        for key, v in part.size().items():
            out[(*key, "dyads" + suffix)] = float(v)
    return out


def test_brd_real_file_sole_and_shared_deaths(store, shared_data):
    path = shared_data("ucdp/BattleDeaths_v24_1.csv")
    result = ingest_file(store, get("ucdp-brd"), path)
    _balanced(result)
    frame, long = _brd_expected(path)
    assert len(frame) == 1920 and result.quarantined == 0 and result.source_version == "24.1"
    got = store.df("SELECT country_gw, year, measure, value, record_ref FROM country_year")
    assert {(r.country_gw, r.year, r.measure): r.value for r in got.itertuples()} == _brd_measures(long)
    assert result.read == result.new == len(got)
    # nothing lost: every line is traced by a record_ref; sole dyad-years add up to the lines fought in one country
    traced = {int(x) for ref in got.record_ref for x in ref.replace("lines ", "").replace("line ", "").split(", ")}
    assert traced == set(frame.line)
    multi = frame["codes"].map(len) > 1
    assert got[got.measure == "dyads"].value.sum() == (~multi).sum()
    assert got[got.measure == "bd_best"].value.sum() == frame.loc[~multi, "bd_best"].sum()
    # a multi-country dyad-year is not given to the first listed country: Iraq-Syria IS 2017 lists Afghanistan first
    afg = got[(got.country_gw == 700) & (got.year == 2017)].set_index("measure")["value"]
    syr = got[(got.country_gw == 652) & (got.year == 2017)].set_index("measure")["value"]
    is_dyad = frame[(frame.dyad_id == 524) & (frame.year == 2017)].iloc[0]
    assert is_dyad.gwno_battle.startswith("700,")
    assert afg["bd_best_shared"] >= is_dyad.bd_best and syr["bd_best_shared"] >= is_dyad.bd_best
    assert afg.get("bd_best", 0) < is_dyad.bd_best
    _reingest_is_noop(store, "ucdp-brd", path, "country_year", "country_iso3, year, measure")


def test_brd_fixture(store, fixtures_dir):
    result = ingest_file(store, get("ucdp-brd"), fixtures_dir / "ucdp_brd_sample.csv")
    _balanced(result)
    got = store.df("SELECT country_iso3 || ' ' || year || ' ' || measure AS k, value, record_ref FROM country_year")
    values = dict(zip(got.k, got.value))
    refs = dict(zip(got.k, got.record_ref))
    assert values["MLI 2019 bd_best"] == 150 and values["MLI 2019 dyads"] == 2
    assert refs["MLI 2019 bd_best"] == "lines 2, 3"
    assert values["MLI 2019 bd_best_shared"] == values["NER 2019 bd_best_shared"] == 400
    assert "NER 2019 bd_best" not in values and values["NER 2020 bd_best"] == 75
    assert values["SRB 2008 bd_high"] == 80
    assert values["IND 2020 bd_low_shared"] == values["PAK 2020 bd_low_shared"] == 900
    assert result.read == len(got) == 28 and result.quarantined == 0


# -- CLI -----------------------------------------------------------------------------------------------------

def test_cli_ingest_acd_json(tmp_path, fixtures_dir):
    from signalfire.cli import app
    runner = CliRunner()
    db = tmp_path / "cli.duckdb"
    path = fixtures_dir / "ucdp_acd_official_sample.csv"
    first = runner.invoke(app, ["ingest", "ucdp-acd", str(path), "--json", "--store", str(db)])
    assert first.exit_code == 0, first.output
    payload = json.loads(first.stdout)
    assert {k: payload[k] for k in ("source", "read", "new", "updated", "unchanged", "quarantined")} == {
        "source": "ucdp-acd", "read": 8, "new": 8, "updated": 0, "unchanged": 0, "quarantined": 0}
    again = json.loads(runner.invoke(app, ["ingest", "ucdp-acd", str(path), "--json", "--store",
                                           str(db)]).stdout)
    assert (again["unchanged"], again["files"][0]["status"]) == (8, "unchanged")


@pytest.mark.parametrize("adapter, fixture", [("ucdp-cy", "ucdp_acd_official_sample.csv"),
                                              ("ucdp-acd", "ucdp_cy_sample.csv")])
def test_cli_wrong_file_for_adapter_is_a_clear_error(tmp_path, fixtures_dir, adapter, fixture):
    from cli_support import run_cli
    proc = run_cli("ingest", adapter, fixtures_dir / fixture, "--store", tmp_path / "x.duckdb", check=False)
    assert proc.returncode == 2
    assert fixture in proc.stderr and "missing required column" in proc.stderr
