"""Geo-PKO troop types (TTMap, FrontMap) into mission_site_types: totals against an independent pandas reading of
the real files, re-ingest a no-op, repeated FrontMap sites kept apart by site_seq, bad values quarantined (fixture
in Geo-PKO's layout), the map page's troop-type table, and the REST API equal to the Python API."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from signalfire.sources import SourceError, get
from signalfire.store.ingest import ingest_file
from signalfire.web.streams.missions import records

PK = "peacekeeping/"
TT = ["Infantry", "eng", "med", "sig", "av", "riv", "maint", "trans"]
FRONT = ["Infantry", "NoTroops", "Reserve", "hq", "UNPOL", "Med", "Av", "UNMO", "ave.no.troops"]
HOSTILE = "<script>window.__xss=1</script>"


@pytest.mark.parametrize(("name", "file", "measures"), [("geopko-ttmap", "geopko_TTMap_v2.3.csv", TT),
                                                         ("geopko-frontmap", "geopko_FrontMap_v2.3.csv", FRONT)])
def test_totals_against_pandas_and_reingest(store, shared_data, name, file, measures):
    path = shared_data(PK + file)
    raw = pd.read_csv(path)                          # pandas reads NA as missing, as the adapter does
    result = ingest_file(store, get(name), path)
    assert result.read == len(raw) * len(measures) == result.new + result.quarantined
    assert result.quarantined == 0
    stored = store.df("SELECT measure, sum(value) AS s, count(value) AS n FROM mission_site_types "
                      "WHERE source = ? GROUP BY measure", [name]).set_index("measure")
    for m in measures:
        assert stored.loc[m, "s"] == pytest.approx(raw[m].sum()) and stored.loc[m, "n"] == raw[m].notna().sum()
    unifil = raw[(raw["mission"] == "UNIFIL") & (raw["year"] == raw.loc[raw["mission"] == "UNIFIL", "year"].max())]
    by_year = store.troop_types_by_year("UNIFIL", name).iloc[-1]
    assert by_year["Infantry"] == unifil["Infantry"].sum()
    again = ingest_file(store, get(name), path)
    assert again.status == "unchanged" and again.new == again.updated == 0


def test_frontmap_repeated_sites_and_malformed_values(store, tmp_path):
    path = tmp_path / "geopko_FrontMap_v2.3.csv"
    head = "mission,year,country,location,latitude,longitude," + ",".join(FRONT) + "\n"
    path.write_text(head +
                    "UNIFIL,2024,Lebanon,Naqoura,33.11,35.12,300,2850,0,3,0,1,1,0,2850\n"
                    "UNIFIL,2024,Lebanon,Naqoura,33.11,35.12,300,2700,0,3,0,1,1,0,2850\n"      # same site, other map
                    "UNIFIL,2024,Lebanon,Tyre,33.27,35.20,NA,many,-5,0,0,0,0,0,NA\n"           # NA kept, 2 bad values
                    f'UNIFIL,20x4,Lebanon,"{HOSTILE}",33.27,35.20,1,1,1,1,1,1,1,1,1\n'          # bad year: 9 values
                    "MINURSO,2024,Western Sahara,Laayoune,27.15,-13.2,0,0,0,3,0,0,1,1,0\n")
    result = ingest_file(store, get("geopko-frontmap"), path)
    assert (result.read, result.new, result.quarantined) == (45, 34, 11)
    reasons = " | ".join(store.df("SELECT reason FROM quarantine")["reason"])
    assert "line 4, column NoTroops: not a number: 'many'" in reasons and "line 4, column Reserve: negative" in reasons
    assert "line 5, column year: not a number: '20x4'" in reasons
    sites = store.site_types("UNIFIL", 2024, "geopko-frontmap")
    naqoura = sites[sites["location"] == "Naqoura"]
    assert naqoura["site_seq"].tolist() == [1, 2] and naqoura["NoTroops"].tolist() == [2850, 2700]
    assert pd.isna(sites.loc[sites["location"] == "Tyre", "Infantry"]).all()
    assert store.df("SELECT DISTINCT host_iso3 FROM mission_site_types WHERE mission = 'UNIFIL'")["host_iso3"]\
        .tolist() == ["LBN"]
    with pytest.raises(SourceError, match="Geo-PKO TTMap"):
        ingest_file(store, get("geopko-ttmap"), path)


def test_api_equals_python_api_and_map_page(store, tmp_path):
    from signalfire.web.app import create_app
    tcc = tmp_path / "geopko_TCCMap_v2.3.csv"
    tcc.write_text("mission,year,location,latitude,longitude,No.TCC,year.overview\n"
                   'UNIFIL,2024,Naqoura,33.11,35.12,2,"Poland (250), Italy (1000)"\n')
    tt = tmp_path / "geopko_TTMap_v2.3.csv"
    tt.write_text("mission,year,location,latitude,longitude," + ",".join(TT) + "\n"
                  "UNIFIL,2024,Naqoura,33.11,35.12,300,0,5,0,5,0,0,0\n"
                  f'UNIFIL,2024,"{HOSTILE}",33.2,35.3,150,5,0,5,0,0,5,5\n'
                  "UNDOF,2024,Camp Faouar,33.3,35.9,500,0,0,0,0,0,0,0\n")
    for name, path in (("geopko", tcc), ("geopko-ttmap", tt)):
        ingest_file(store, get(name), path)
    sites, by_year = store.site_types("UNIFIL", 2024), store.troop_types_by_year("UNIFIL")
    store.con.execute("CHECKPOINT")
    with TestClient(create_app(store.path, load_demo=False)) as client:
        assert client.get("/api/v1/missions/site-types?mission=UNIFIL&year=2024").json()["data"] == records(sites)
        assert client.get("/api/v1/missions/mission/UNIFIL/troop-types").json()["data"] == records(by_year)
        assert records(by_year)[0]["Infantry"] == 450 and records(by_year)[0]["sites"] == 2
        assert client.get("/api/v1/missions/site-types?source=nonsense").status_code == 422
        page = client.get("/missions/map?country=POL&year=2024").text
        assert 'id="troop-types-table"' in page and "Naqoura" in page
        assert "Camp Faouar" not in page                    # UNDOF: Poland has no site there
        assert HOSTILE not in page and "&lt;script&gt;" in page
