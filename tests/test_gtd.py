"""START GTD CSV: an invented fixture in START's full layout always; the real 12-column sample when present."""

from __future__ import annotations

import json

import pandas as pd

from signalfire.sources import get
from signalfire.sources.gtd import release_from_name
from signalfire.store.ingest import ingest_file


def _ingest(store, path):
    result = ingest_file(store, get("gtd"), path)
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined
    return result


def _events(store):
    frame = store.df("SELECT * FROM events WHERE source = 'gtd' ORDER BY source_id").set_index("source_id")
    for col in ("date_start", "date_end"):
        frame[col] = frame[col].astype(str).str[:10]
    return frame


def test_full_layout_fixture(store, fixtures_dir):
    result = _ingest(store, fixtures_dir / "gtd_full_layout_sample.csv")
    assert (result.read, result.new, result.quarantined) == (10, 10, 0)
    ev = _events(store)
    assert set(ev.category) == {"terrorism"}
    first = ev.loc["201905140001"]
    assert (first.date_start, first.date_end, first.date_precision) == ("2019-05-14", "2019-05-14", "day")
    assert (first.country_iso3, first.country_gw, first.admin1, first.place) == ("PAK", 770, "Balochistan", "Quetta")
    assert (first.subtype, first.actor1, first.actor2) == ("Bombing/Explosion", "Unknown", "Market")
    assert first.fatalities_best == 4 and first.geo_precision == "exact"
    assert first.description.startswith("05/14/2019: An explosive device")
    assert first.source_reference.startswith('"Blast in Quetta market,"')
    # iday 0: the whole month; imonth 0: the whole year
    month = ev.loc["201905000002"]
    assert (month.date_start, month.date_end, month.date_precision) == ("2019-05-01", "2019-05-31", "month")
    year = ev.loc["201900000003"]
    assert (year.date_start, year.date_end, year.date_precision) == ("2019-01-01", "2019-12-31", "year")
    # -99 is unknown, never a count; specificity 4 is admin1
    assert pd.isna(year.fatalities_best) and pd.isna(year.civilian_deaths) and year.geo_precision == "admin1"
    # an extended incident ends at its resolution date
    ext = ev.loc["201906200004"]
    assert (ext.date_start, ext.date_end) == ("2019-06-20", "2019-06-25")
    # no named target: the target type stands in; civilian deaths only known when nobody died
    assert ev.loc["201907020006", "actor2"] == "Military"
    assert ev.loc["201907010005", "civilian_deaths"] == 0 and pd.isna(ev.loc["201907020006", "civilian_deaths"])
    assert ev.loc["201908150008", "geo_precision"] == "country" and pd.isna(ev.loc["201908150008", "description"])
    assert ev.loc["201912310010", "country_iso3"] == "COD"
    assert ev.fatalities_best.sum() == 23


def test_reingest_is_a_noop(store, fixtures_dir):
    path = fixtures_dir / "gtd_full_layout_sample.csv"
    _ingest(store, path)
    before = store.df("SELECT * FROM events ORDER BY source_id")
    second = _ingest(store, path)
    assert (second.new, second.updated, second.unchanged, second.status) == (0, 0, 10, "unchanged")
    pd.testing.assert_frame_equal(before, store.df("SELECT * FROM events ORDER BY source_id"))


def test_release_from_starts_file_name(tmp_path, fixtures_dir):
    assert release_from_name("globalterrorismdb_0522dist.csv") == "2022-05"
    assert release_from_name("gtd_full_layout_sample.csv") is None
    renamed = tmp_path / "globalterrorismdb_0718dist.csv"
    renamed.write_bytes((fixtures_dir / "gtd_full_layout_sample.csv").read_bytes())
    from signalfire.warehouse import Warehouse
    wh = Warehouse(tmp_path / "s.duckdb")
    try:
        result = _ingest(wh, renamed)
        assert result.source_version == "2018-07"
        assert set(wh.df("SELECT DISTINCT source_version FROM events").source_version) == {"2018-07"}
    finally:
        wh.close()


def test_cli_ingest_json(tmp_path, fixtures_dir):
    from typer.testing import CliRunner

    from signalfire.cli import app
    run = CliRunner().invoke(app, ["ingest", "gtd", str(fixtures_dir / "gtd_full_layout_sample.csv"),
                                   "--store", str(tmp_path / "cli.duckdb"), "--json"])
    assert run.exit_code == 0, run.output
    payload = json.loads(run.stdout)
    assert (payload["read"], payload["new"], payload["quarantined"]) == (10, 10, 0)


# -- the real 12-column sample (restricted: ../shared/data, skipped when absent) -------------------------------
def _independent(path):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["nkill_n"] = pd.to_numeric(frame["nkill"]).where(lambda v: v >= 0)
    frame["y"] = frame["eventid"].str[:4].astype(int)
    return frame


def test_sample_loads_with_totals(store, shared_data):
    path = shared_data("terrorism/gtd_2017_sample1000.csv")
    result = _ingest(store, path)
    expected = _independent(path)
    assert result.read == len(expected) == 1000
    assert (result.new, result.quarantined) == (1000, 0)
    got = store.df("SELECT country_iso3 AS c, year(date_start) AS y, count(*) AS n, sum(fatalities_best) AS f, "
                   "count(fatalities_best) AS known FROM events GROUP BY ALL")
    from signalfire.geo.countries import resolve_series
    expected["c"] = resolve_series(expected["country_txt"], "name")["country_iso3"].astype(str)
    want = expected.groupby(["c", "y"]).agg(n=("nkill_n", "size"), f=("nkill_n", "sum"), known=("nkill_n", "count"))
    got = got.set_index(["c", "y"]).sort_index()
    want = want.sort_index()
    assert got["n"].to_dict() == want["n"].to_dict()
    assert got["known"].to_dict() == want["known"].to_dict()
    assert got["f"].fillna(0).astype(int).to_dict() == want["f"].astype(int).to_dict()
    assert int(want["f"].sum()) == int(store.df("SELECT sum(fatalities_best) AS f FROM events").f[0])
    assert len(want) == 62  # every country_txt resolved


def test_sample_dates_come_from_the_event_id(store, shared_data):
    path = shared_data("terrorism/gtd_2017_sample1000.csv")
    _ingest(store, path)
    expected = _independent(path)
    ev = store.df("SELECT source_id, strftime(date_start, '%Y%m%d') AS d, date_precision AS p FROM events")
    assert dict(zip(ev.source_id, ev.d)) == dict(zip(expected.eventid, expected.eventid.str[:8]))
    assert set(ev.p) == {"day"}
    unknown = store.df("SELECT count(*) AS n FROM events WHERE fatalities_best IS NULL").n[0]
    assert unknown == (pd.to_numeric(expected.nkill) < 0).sum() == 55  # -999 in this extract means unknown


def test_sample_reingest_is_a_noop(store, shared_data):
    path = shared_data("terrorism/gtd_2017_sample1000.csv")
    _ingest(store, path)
    again = _ingest(store, path)
    assert (again.new, again.updated, again.unchanged, again.status) == (0, 0, 1000, "unchanged")


def test_installed_cli_ingests_the_sample(tmp_path, shared_data):
    import subprocess
    import sys
    from pathlib import Path
    path = shared_data("terrorism/gtd_2017_sample1000.csv")
    exe = Path(sys.executable).with_name("signalfire")
    if not exe.exists():
        import pytest
        pytest.skip("the signalfire console script is not installed next to this Python")
    run = subprocess.run([str(exe), "ingest", "gtd", str(path), "--store", str(tmp_path / "s.duckdb"), "--json"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout)
    assert (payload["read"], payload["new"], payload["quarantined"]) == (1000, 1000, 0)
    bad = subprocess.run([str(exe), "ingest", "gtd", str(Path(__file__)), "--store", str(tmp_path / "s.duckdb")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "error" in bad.stderr
