"""The missions adapters on the real files in ../shared/data/peacekeeping: every file loads through the ingest, its
totals match an independent pandas reading of the file, and a re-ingest changes nothing."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import shared_path

from signalfire.sources import SourceError, get
from signalfire.sources.missions import bara_hultman, un_pko_strength
from signalfire.store.ingest import ingest_file

PK = "peacekeeping/"
FILES = {
    "ipi-missions": "ipi_missions_by_month_1990-2017.csv",
    "ipi-contributions": "ipi_contributions_by_country_month_1990-2014.csv",
    "ipi-contributions-mission": "ipi_contributions_by_country_mission_2014-03_to_08.csv",
    "un-pko-strength": "un_pko_personnel_authorised_vs_deployed_1990-2015.csv",
    "un-pko-fatalities": "un_pko_fatalities_contingent_month_1948-2015.csv",
    "bara-hultman": "bara_hultman_un_and_non_un_peacekeeping_v2-2019.csv",
    "geopko": "geopko_TCCMap_v2.3.csv",
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One store with every real file ingested once (the files are read once for the whole module)."""
    from signalfire.warehouse import Warehouse
    paths = {name: shared_path(PK + f) for name, f in FILES.items()}
    wh = Warehouse(tmp_path_factory.mktemp("missions") / "missions.duckdb")
    results = {name: ingest_file(wh, get(name), path) for name, path in paths.items()}
    yield wh, results, paths
    wh.close()


def _balanced(result):
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined


def _nonempty(frame: pd.DataFrame, columns) -> int:
    return int(frame[list(columns)].notna().sum().sum())


def test_every_file_loads_without_quarantine(loaded):
    _, results, _ = loaded
    for name, result in results.items():
        _balanced(result)
        assert result.status == "loaded", (name, result.message)
        assert result.quarantined == 0, (name, result.message)


def test_ipi_missions_totals(loaded):
    wh, results, paths = loaded
    raw = pd.read_csv(paths["ipi-missions"])
    cols = {"Number of Contributors": "contributors", "Troops": "troops", "Police": "police",
            "Observers": "observers", "Total": "total"}
    assert results["ipi-missions"].read == _nonempty(raw, cols)
    got = wh.con.execute("SELECT measure, sum(value) FROM mission_month WHERE source = 'ipi-missions' "
                         "GROUP BY 1").fetchall()
    assert dict(got) == {m: raw[c].sum() for c, m in cols.items()}
    # the HQ coordinates are stored swapped back (the file's "Longitude" column holds latitudes)
    hq = wh.con.execute("SELECT DISTINCT hq_latitude, hq_longitude FROM mission_month WHERE mission = 'ONUCA' "
                        "AND source = 'ipi-missions'").fetchall()
    assert hq == [(14.1, -87.2167)]
    assert raw["Mission HQ Longitude"].abs().max() <= 90


def test_ipi_contributions_totals_and_poland(loaded):
    wh, results, paths = loaded
    raw = pd.read_csv(paths["ipi-contributions"])
    assert results["ipi-contributions"].read == _nonempty(raw, ["Troops", "Police", "Experts"])
    pol = raw[raw["Contributor"] == "Poland"]
    got = wh.deployments("POL", source="ipi-contributions").groupby("personnel_type")["total"].sum().to_dict()
    assert got == {"troops": pol["Troops"].sum(), "police": pol["Police"].sum(), "experts": pol["Experts"].sum()}
    # January 1995 as the file has it, through the yearly query
    jan = pol[pol["Date"] == "1995-01-31"].iloc[0]
    row = wh.deployments_by_year("POL", "ipi-contributions").set_index("year").loc[1995]
    assert (row["troops"], row["experts"], row["police"]) == (jan["Troops"], jan["Experts"], jan["Police"])
    total = wh.con.execute("SELECT sum(total) FROM mission_contributions WHERE source = 'ipi-contributions'").fetchone()
    assert total[0] == raw[["Troops", "Police", "Experts"]].sum().sum()


def test_ipi_contributions_by_mission_total_is_the_sum_of_the_parts(loaded):
    wh, results, paths = loaded
    raw = pd.read_csv(paths["ipi-contributions-mission"])
    parts = ["Troops", "Experts_on_Mission", "Inidividual_Police", "Formed_Police_Units"]
    assert results["ipi-contributions-mission"].read == _nonempty(raw, parts)
    want = raw.groupby("Mission")["Total"].sum()
    got = wh.con.execute("SELECT mission, sum(total) FROM mission_contributions "
                         "WHERE source = 'ipi-contributions-mission' GROUP BY 1").df().set_index("mission").iloc[:, 0]
    assert got.sort_index().to_dict() == want.sort_index().to_dict()
    unifil = wh.mission_contributors("UNIFIL", "2014-08")
    assert unifil["total"].sum() == raw[(raw.Mission == "UNIFIL") & (raw.Date == "2014-08-31")]["Total"].sum()


def test_un_strength_and_bara_hultman_totals(loaded):
    wh, results, paths = loaded
    for name, columns in [("un-pko-strength", un_pko_strength.MEASURES), ("bara-hultman", bara_hultman.MEASURES)]:
        raw = pd.read_csv(paths[name])
        assert results[name].read == _nonempty(raw, columns)
        got = dict(wh.con.execute("SELECT measure, sum(value) FROM mission_month WHERE source = ? GROUP BY 1",
                                  [name]).fetchall())
        for column, measure in columns.items():
            assert got[measure] == pytest.approx(raw[column].sum()), (name, column)
    strength = wh.mission_strength("UNMIL", "un-pko-strength")
    auth = strength[(strength.measure == "authorised_total") & (strength.month == "2012-10")]["value"].iloc[0]
    assert auth == pytest.approx(9726.2)
    # Bara & Hultman's non-UN missions: the organisation read from the acronym where it names one
    nato = set(wh.missions(organisation="NATO")["mission"])
    assert {"ISAF", "KFOR", "IFOR", "SFOR"} <= nato
    assert set(wh.missions(organisation="EU")["mission"]) >= {"EUFOR Althea", "EULEX"}
    assert wh.mission("Op. Serval")["organisation"].iloc[0] == "international"


def test_fatalities_totals(loaded):
    wh, results, paths = loaded
    raw = pd.read_csv(paths["un-pko-fatalities"])
    assert results["un-pko-fatalities"].read == len(raw)
    by_year = wh.pko_fatalities(by="year").set_index("year")["total"]
    assert by_year.to_dict() == raw.groupby("Year")["Total"].sum().to_dict()
    assert wh.pko_fatalities("POL")["total"].sum() == raw[raw.Nationality == "Poland"]["Total"].sum()


def test_geopko_sites(loaded):
    wh, results, paths = loaded
    raw = pd.read_csv(paths["geopko"])
    entries = raw["year.overview"].str.count(r"\((?:\d+|size unknown)\)")
    assert results["geopko"].read == entries.sum() == raw["No.TCC"].sum()
    troops = raw["year.overview"].map(lambda s: sum(int(n) for n in re.findall(r"\((\d+)\)", s)))
    assert wh.con.execute("SELECT sum(troops) FROM mission_sites").fetchone()[0] == troops.sum()
    pol = raw[raw["year.overview"].str.contains(r"\bPoland \(")]
    assert len(wh.deployment_sites("POL")) == len(pol)


@pytest.mark.parametrize("name", ["ipi-missions", "un-pko-fatalities", "geopko", "ipi-contributions-mission"])
def test_reingest_is_a_noop(loaded, name):
    wh, results, paths = loaded
    table = get(name).table
    before = wh.con.execute(f"SELECT count(*), md5(string_agg(row_hash || run_id, ',' ORDER BY row_hash || run_id)) "
                            f"FROM {table}").fetchone()
    again = ingest_file(wh, get(name), paths[name])
    _balanced(again)
    assert again.status == "unchanged" and again.new == again.updated == 0
    assert again.unchanged == results[name].new
    assert wh.con.execute(f"SELECT count(*), md5(string_agg(row_hash || run_id, ',' ORDER BY row_hash || run_id)) "
                          f"FROM {table}").fetchone() == before


def test_sources_do_not_overwrite_each_other(loaded):
    wh, _, _ = loaded
    per_source = dict(wh.con.execute("SELECT source, count(*) FROM mission_month WHERE mission = 'UNIFIL' "
                                     "GROUP BY 1").fetchall())
    assert set(per_source) == {"ipi-missions", "un-pko-strength", "bara-hultman"}


def test_a_file_of_another_format_is_a_source_error(loaded):
    _, _, paths = loaded
    with pytest.raises(SourceError, match="missing required column"):
        list(get("ipi-missions").read(paths["un-pko-fatalities"]))
    with pytest.raises(SourceError, match="Geo-PKO TCCMap"):
        list(get("geopko").read(shared_path(PK + "geopko_FrontMap_v2.3.csv")))
