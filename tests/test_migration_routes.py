"""Frontex, IOM Missing Migrants (tidy table and the producer's download), IDMC and Eurostat adapters.

Real files from ../shared/data (skipped when absent) with totals against pandas; fixtures always: the IOM download
layout (invented incidents in IOM's headers) and a Frontex-layout file of invented figures."""

from __future__ import annotations

import pandas as pd
import pytest

from signalfire.sources import SourceError, get
from signalfire.store.ingest import ingest_file

M = "migration/"


def _ingest(store, name, path):
    result = ingest_file(store, get(name), path)
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined
    return result


def _read_all(name, path):
    batches = list(get(name).read(path))
    return (pd.concat([b.rows for b in batches], ignore_index=True),
            pd.concat([b.quarantine for b in batches], ignore_index=True), sum(b.read for b in batches))


# -- real files -------------------------------------------------------------------------------------------------
def test_frontex_real_totals_and_eastern_route_2021(store, shared_data):
    path = shared_data(M + "frontex.csv")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["n"] = pd.to_numeric(frame["n"])
    result = _ingest(store, "frontex", path)
    assert (result.read, result.new, result.quarantined) == (len(frame), len(frame), 0)
    got = store.frontex_routes(by="year").groupby("route")["detections"].sum()
    want = frame.assign(year=frame.t.str[:4]).groupby("route")["n"].sum()
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)
    east = store.frontex_routes("Eastern Borders Route", 2021)
    want_east = frame[(frame.route == "Eastern Borders Route") & frame.t.str.startswith("2021")].groupby("t")["n"].sum()
    assert dict(zip(east.month, east.detections)) == want_east.to_dict()
    assert east.detections.sum() == want_east.sum() == 8075
    again = _ingest(store, "frontex", path)
    assert (again.new, again.updated, again.status) == (0, 0, "unchanged")


def test_iom_tidy_real_totals_and_content_ids(store, shared_data):
    path = shared_data(M + "iom_mmp.csv")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    result = _ingest(store, "iom-missing-migrants", path)
    surv = pd.to_numeric(frame["surv"].replace("", None))
    bad = (surv < 0).fillna(False)           # IOM's negative survivors (-1, -2): not a count
    assert (result.read, result.new, result.quarantined) == (len(frame), len(frame) - bad.sum(), bad.sum())
    got = store.df("SELECT year(date) AS y, count(*) AS n, sum(dead) AS dead FROM migrant_incidents GROUP BY 1")
    ok = frame[~bad]
    want = ok.assign(y=ok.t.str[:4].astype(int), dead=pd.to_numeric(ok.dead)).groupby("y").agg(
        n=("dead", "size"), dead=("dead", "sum"))
    got = got.set_index("y").sort_index()
    assert got["n"].to_dict() == want["n"].to_dict()
    assert got["dead"].to_dict() == want["dead"].astype(int).to_dict()
    # identical lines (separate incidents with the same fields) are all kept, with -1, -2, … ids
    dupes = int(frame.duplicated().sum())
    assert dupes > 0
    assert store.df("SELECT count(*) AS n FROM migrant_incidents WHERE incident_id NOT LIKE '%-1'").n[0] == dupes
    reasons = store.df("SELECT reason FROM quarantine").reason
    assert reasons.str.contains("column surv: below 0: '-").all()   # IOM's -1, -2 survivors
    again = _ingest(store, "iom-missing-migrants", path)
    assert (again.new, again.updated, again.status) == (0, 0, "unchanged")


def test_idmc_and_eurostat_real_totals(store, shared_data):
    idmc = shared_data(M + "idmc_flows.csv")
    frame = pd.read_csv(idmc, dtype=str, keep_default_na=False)
    result = _ingest(store, "idmc", idmc)
    assert (result.read, result.new, result.quarantined) == (len(frame), len(frame), 0)
    got = store.internal_displacement().groupby("cause")["displacements"].sum()
    want = frame.assign(n=pd.to_numeric(frame.n)).groupby("cause")["n"].sum()
    want.index = want.index.str.replace(" ", "_")
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index().astype(float), check_names=False)
    assert "AB9" in set(store.internal_displacement()["country_iso3"])     # Abyei kept under IDMC's code

    eu = shared_data(M + "eu_asyapp.csv")
    frame = pd.read_csv(eu, dtype=str, keep_default_na=False)
    result = _ingest(store, "eurostat-asylum", eu)
    assert (result.read, result.new, result.quarantined) == (len(frame), len(frame), 0)
    frame["n"] = pd.to_numeric(frame.n)
    frame["t"] = pd.to_numeric(frame.t).astype(int)
    want = frame[(frame.geo == "POL")].groupby("t")["n"].sum()
    got = store.asylum_applications(asylum="POL", source="eurostat").groupby("year")["applications"].sum()
    assert got.to_dict() == want.to_dict()


# -- fixtures: always -------------------------------------------------------------------------------------------
def test_iom_download_layout(store, fixtures_dir):
    result = _ingest(store, "iom-missing-migrants-download", fixtures_dir / "iom_missing_migrants_download.csv")
    assert (result.read, result.new, result.quarantined) == (9, 6, 3)
    got = store.missing_migrants(source="iom-mmp").set_index("incident_id")
    first = got.loc["2021.MMP00101"]
    # 'Thu, 01/01/2026 - 12:00' style dates, 'lat, lon' coordinates, blank missing is unknown (NULL)
    assert str(first.date)[:10] == "2021-09-17" and (first.latitude, first.longitude) == (53.21, 23.73)
    assert first.country_iso3 == "POL" and pd.isna(first.missing) and first.dead == 1
    assert str(got.loc["2026.MMP00001"].date)[:10] == "2026-01-01"
    pylos = got.loc["2023.MMP00201"]
    assert (pylos.dead, pylos.missing, pylos.survivors) == (82, 500, 104) and pd.isna(pylos.country_iso3)
    q = store.df("SELECT record_ref, column_name, reason FROM quarantine ORDER BY record_ref")
    assert q.record_ref.tolist() == ["line 10", "line 8", "line 9"]
    assert "impossible coordinate" in q.reason[1] and "'95.2000, 23.7000'" in q.reason[1]
    assert "not 'latitude, longitude'" in q.reason[2]
    assert "not a date: 'Sun, 31/01/2026 - 12:00'" in q.reason[0] and "Number Dead: not a number" in q.reason[0]
    # the query reads the producer's download when it is loaded
    assert set(store.missing_migrants()["source"]) == {"iom-mmp"}
    again = _ingest(store, "iom-missing-migrants-download", fixtures_dir / "iom_missing_migrants_download.csv")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 6)


def test_iom_download_as_xlsx(store, fixtures_dir, tmp_path):
    frame = pd.read_csv(fixtures_dir / "iom_missing_migrants_download.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "Missing_Migrants_Global_Figures_allData.xlsx"
    frame.head(6).to_excel(path, index=False)
    result = _ingest(store, "iom-missing-migrants-download", path)
    assert (result.read, result.new, result.quarantined) == (6, 6, 0)


def test_frontex_fixture_bad_rows(store, fixtures_dir, tmp_path):
    good = (fixtures_dir / "frontex_sample.csv").read_text()
    path = tmp_path / "frontex.csv"
    path.write_text(good + "Eastern Borders Route,Land,ZZZ,2021-05,3.0\nEastern Borders Route,Land,IRQ,2021-13,3.0\n"
                    "Eastern Borders Route,Land,IRQ,2021-06,-\nEastern Borders Route,Land,IRQ,2021-07,-2\n")
    result = _ingest(store, "frontex", path)
    lines = len(good.splitlines()) - 1
    assert (result.read, result.new, result.quarantined) == (lines + 4, lines, 4)
    reasons = store.df("SELECT reason FROM quarantine ORDER BY record_ref").reason.tolist()
    assert any("column nat: unknown ISO 3166 alpha-3 code 'ZZZ'" in r for r in reasons)
    assert any("column t: not a date: '2021-13'" in r for r in reasons)
    assert any("column n: not a number: '-'" in r for r in reasons)   # a count is required here
    assert any("column n: below 0: '-2'" in r for r in reasons)
    # Land and Sea of one route are separate rows; stateless kept as STL
    assert store.df("SELECT count(*) AS n FROM route_month WHERE route = 'Eastern Mediterranean Route'").n[0] == 2
    assert "STL" in set(store.df("SELECT nationality_iso3 FROM route_month").nationality_iso3)


@pytest.mark.parametrize("name,other,missing", [
    ("frontex", "iom_missing_migrants_download.csv", "route"),
    ("iom-missing-migrants", "frontex_sample.csv", "t"),
    ("iom-missing-migrants-download", "frontex_sample.csv", "Main ID"),
    ("idmc", "frontex_sample.csv", "geo"),
    ("eurostat-asylum", "frontex_sample.csv", "geo"),
])
def test_wrong_file_is_a_source_error(fixtures_dir, name, other, missing):
    with pytest.raises(SourceError, match=f"{other}.*missing required column.*{missing}"):
        _read_all(name, fixtures_dir / other)
