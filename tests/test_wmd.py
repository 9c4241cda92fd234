"""WMD stream: CNS/NTI missile tests and Nuclear Latency facilities from the real files (totals against an
independent pandas reading, re-ingest a no-op), bad lines quarantined with reasons (fixtures in the producers'
layout), the page and country section render, and the REST API equals the Python API."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from signalfire.sources import SourceError, get
from signalfire.store.ingest import ingest_file
from signalfire.web.streams.crises import records

TESTERS = {"dprk": "PRK", "india": "IND", "iran": "IRN", "pakistan": "PAK"}
HOSTILE = "<script>window.__xss=1</script>"


@pytest.mark.parametrize("prefix", sorted(TESTERS))
def test_missile_tests_totals(store, shared_data, prefix):
    path = shared_data(f"wmd/{prefix}_missile_tests.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    result = ingest_file(store, get("missile-tests"), path)
    assert result.read == len(raw) == result.new + result.quarantined and result.quarantined == 0
    stored = store.missile_tests_by_year(TESTERS[prefix])
    expected = raw.groupby(raw["launch_time"].str[:4].astype(int)).size()
    assert dict(zip(stored["year"], stored["tests"])) == expected.to_dict()
    ok = raw["test_successful"].str.lower()
    assert int(stored["successful"].sum()) == (ok == "true").sum()
    assert int(stored["unknown"].sum()) == (ok == "").sum()
    assert ingest_file(store, get("missile-tests"), path).status == "unchanged"


def test_identical_lines_are_distinct_tests_and_ids_are_stable(store, tmp_path):
    head = "launch_time,missile_name,missile_type,test_confirmed,test_successful,sources\n"
    line = "2017-03-06,ER Scud,SRBM,True,True,http://example.org\n"
    path = tmp_path / "dprk_missile_tests.csv"
    path.write_text(head + line * 4)
    assert ingest_file(store, get("missile-tests"), path).new == 4
    ids = sorted(store.df("SELECT test_id FROM missile_tests")["test_id"])
    assert [i.rsplit("-", 1)[1] for i in ids] == ["1", "2", "3", "4"] and all(i.startswith("PRK-") for i in ids)
    other = tmp_path / "other" / "dprk_missile_tests.csv"
    other.parent.mkdir()
    other.write_text(head + "2016-01-01,KN-11,SLBM,True,False,x\n" + line * 4)   # reordered + one more line
    again = ingest_file(store, get("missile-tests"), other)
    assert (again.new, again.unchanged) == (1, 4)


def test_malformed_missile_lines_are_quarantined(store, tmp_path):
    path = tmp_path / "iran_missile_tests.csv"
    path.write_text("launch_time,missile_name,facility_latitude,facility_longitude,test_confirmed,test_successful,"
                    "additional_information,sources,missile_family,in_operational_use\n"
                    f'2019-07-25,Shahab-3,34.1,47.2,True,,"{HOSTILE}",x,MRBM,True\n'
                    "2019-13-40,Shahab-3,34.1,47.2,True,True,,x,MRBM,True\n"
                    "2019-07-26,Fateh,134.1,47.2,True,True,,x,SRBM,True\n"
                    "2019-07-27,Fateh,34.1,47.2,maybe,True,,x,SRBM,True\n")
    result = ingest_file(store, get("missile-tests"), path)
    assert (result.read, result.new, result.quarantined) == (4, 1, 3)
    reasons = " | ".join(store.df("SELECT reason FROM quarantine")["reason"])
    assert "line 3, column launch_time: not a date" in reasons
    assert "line 4, column facility_latitude: above 90" in reasons
    assert "line 5, column test_confirmed: not True/False: 'maybe'" in reasons
    kept = store.missile_tests("IRN")
    assert kept["missile_type"].tolist() == ["MRBM"] and pd.isna(kept["test_successful"].iloc[0])
    with pytest.raises(SourceError, match="testing state from the file name"):
        ingest_file(store, get("missile-tests"), tmp_path.joinpath("tests.csv").write_text("a\n") and
                    tmp_path / "tests.csv")


def test_nuclear_latency_totals(store, shared_data):
    path = shared_data("wmd/nuclear_latency_v1_2.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    result = ingest_file(store, get("nuclear-latency"), path)
    assert result.read == len(raw) == result.new + result.quarantined and result.quarantined == 0
    stored = store.df("SELECT enr_type, count(*) AS n FROM nuclear_facilities GROUP BY ALL")
    assert dict(zip(stored["enr_type"], stored["n"])) == raw["enr_type"].value_counts().to_dict()
    prk = store.nuclear_facilities("PRK")
    assert sorted(prk["facility_name"]) == sorted(raw.loc[raw["ccode"] == "731.0", "facility_name"])
    unknown = (raw["construction_start"] == "-99.0").sum()
    assert int(store.df("SELECT count(*) AS n FROM nuclear_facilities WHERE construction_start IS NULL")["n"][0]) \
        == unknown + (raw["construction_start"] == "").sum()
    assert ingest_file(store, get("nuclear-latency"), path).status == "unchanged"


def test_malformed_facility_lines_are_quarantined(store, tmp_path):
    path = tmp_path / "nl.csv"
    path.write_text("country_name,ccode,facility_name,enr_type,size,operation_start,operation_end,iaea\n"
                    "Iran,630.0,Natanz,centrifuge,pilot,2003.0,,True\n"
                    "Nowhere,999.0,X,laser,pilot,2003.0,,True\n"
                    "Iran,630.0,Y,laser,pilot,soon,,True\n"
                    "Iran,630.0,Z,laser,pilot,-99.0,,perhaps\n")
    result = ingest_file(store, get("nuclear-latency"), path)
    assert (result.read, result.new, result.quarantined) == (4, 1, 3)
    reasons = " | ".join(store.df("SELECT reason FROM quarantine")["reason"])
    assert "unknown COW code" in reasons and "column operation_start: not a number: 'soon'" in reasons
    assert "column iaea: not True/False: 'perhaps'" in reasons


def test_api_equals_python_api_and_pages(store, shared_data, tmp_path):
    from signalfire.web.app import create_app
    from signalfire.web.streams.wmd import country_panel
    ingest_file(store, get("missile-tests"), shared_data("wmd/dprk_missile_tests.csv"))
    ingest_file(store, get("nuclear-latency"), shared_data("wmd/nuclear_latency_v1_2.csv"))
    hostile = tmp_path / "pakistan_missile_tests.csv"
    hostile.write_text(f'launch_time,missile_name,test_confirmed,test_successful\n2019-05-23,"{HOSTILE}",True,True\n')
    ingest_file(store, get("missile-tests"), hostile)
    yearly, tests, facilities = (store.missile_tests_by_year("PRK"), store.missile_tests("PRK", 2017),
                                 store.nuclear_facilities("PRK"))
    store.con.execute("CHECKPOINT")
    with TestClient(create_app(store.path, load_demo=False)) as client:
        assert client.get("/api/v1/wmd/missile-tests/yearly?country=PRK").json()["data"] == records(yearly)
        assert client.get("/api/v1/wmd/missile-tests?country=PRK&year=2017").json()["data"] == records(tests)
        assert client.get("/api/v1/wmd/facilities?country=PRK").json()["data"] == records(facilities)
        assert client.get("/api/v1/wmd/facilities?country=Atlantis").status_code == 404
        page = client.get("/wmd?country=PRK")
        assert page.status_code == 200 and "Yongbyon Enrichment Facility" in page.text
        assert "chart-tests" in page.text
        pak = client.get("/wmd?country=PAK").text
        assert HOSTILE not in pak and "&lt;script&gt;" in pak
        template, values = country_panel(client.app.state.ds, "PRK")
        assert template == "wmd/_country.html" and values["tests_total"] == int(yearly["tests"].sum())
        assert country_panel(client.app.state.ds, "POL") is None
