"""Treaty queries on the real files: validation flags on the known upstream errors, corrections only through the
overrides file, status, matrix, not-joined with the CTBT's Annex 2; the REST API returns what the Python API does."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from signalfire.sources import get
from signalfire.sources.diplomacy.reference import INSTRUMENTS, OVERRIDES
from signalfire.store.ingest import ingest_file


def _store(folder, overrides: bool):
    from conftest import shared_path

    from signalfire.warehouse import Warehouse
    parties = shared_path("treaties/manytreaties_arms_control_parties.csv")
    regimes = shared_path("treaties/manyios_security_regimes_membership.csv")
    store = Warehouse(folder / "t.duckdb")
    for name, path in [("treaty-instruments", INSTRUMENTS), ("manytreaties", parties), ("manyios", regimes)]:
        ingest_file(store, get(name), path)
    if overrides:
        ingest_file(store, get("treaty-overrides"), OVERRIDES)
    return store


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    """The files with the overrides applied (every test but the first reads the corrected store; none depends on
    another having run first)."""
    store = _store(tmp_path_factory.mktemp("treaties"), overrides=True)
    yield store
    store.close()


@pytest.fixture
def raw(tmp_path):
    """The files as published, without the overrides yet."""
    store = _store(tmp_path, overrides=False)
    yield store
    store.close()


def test_flags_without_overrides_then_corrections_with_them(raw):
    wh = raw
    before = wh.treaty_flags()
    # signature after ratification, as published (Australia, 1925 Geneva Protocol)
    aus = before[(before.state_iso3 == "AUS") & (before.instrument == "Geneva Protocol")]
    assert "signature 1930-05-24 is after the ratification 1930-01-22 (GGO)" in aus["detail"].tolist()
    assert wh.treaty_status("PRK").set_index("instrument").loc["NPT", "status"] == "party"   # upstream misses it
    assert wh.treaty_status("USA").set_index("instrument").loc["CTBT", "status"] == "party"  # upstream error
    ingest_file(wh, get("treaty-overrides"), OVERRIDES)
    flags = wh.treaty_flags()
    prk = flags[(flags.state_iso3 == "PRK") & (flags.instrument == "NPT")]
    assert prk["rule"].tolist() == ["withdrawal_not_recorded"]
    assert prk["corrected_by"].iloc[0].startswith("https://")
    rus = flags[(flags.state_iso3 == "RUS") & (flags.instrument == "CTBT")]
    assert rus["detail"].tolist() == ["withdrawal of ratification of 2023-11-02 is not in the source data"]
    usa = flags[(flags.state_iso3 == "USA") & (flags.instrument == "CTBT")]
    assert usa["rule"].tolist() == ["override_differs"] and "2001-09-21" in usa["detail"].iloc[0]
    # the producers' rows are still stored: corrected, never silently replaced
    assert wh.df("SELECT count(*) AS n FROM treaty_actions WHERE source = 'manytreaties' AND state_iso3 = 'USA' "
                 "AND instrument = 'CTBT' AND action = 'ratification'").n[0] == 1
    status = wh.treaty_status("PRK").set_index("instrument")
    assert status.loc["NPT", "status"] == "withdrawn" and str(status.loc["NPT", "withdrawn"])[:10] == "2003-01-10"
    assert status.loc["NPT", "corrected"]
    russia = wh.treaty_status("RUS").set_index("instrument").loc["CTBT"]
    assert russia["status"] == "signatory" and str(russia["ratification_withdrawn"])[:10] == "2023-11-02"


def test_poland_status(wh):
    status = wh.treaty_status("POL").set_index("instrument")
    for inst in ("NPT", "CWC", "BWC", "CTBT", "PTBT", "Geneva Protocol"):
        assert status.loc[inst, "status"] == "party", inst
    assert status.loc["PSI", "status"] == "member" and status.loc["NSG", "status"] == "member"
    assert status.loc["TPNW", "status"] == "none"
    assert str(status.loc["CWC", "consented"])[:10] == "1995-08-23"
    timeline = wh.treaty_timeline("POL")
    assert timeline["action_date"].is_monotonic_increasing and len(timeline) > 30


def test_ctbt_not_joined_split_by_annex2(wh):
    frame = wh.not_joined("CTBT")
    annex2 = frame[frame["annex2"]]
    # after the overrides: the nine Annex 2 states whose ratification the treaty's entry into force still needs
    assert sorted(annex2["state_iso3"]) == ["CHN", "EGY", "IND", "IRN", "ISR", "PAK", "PRK", "RUS", "USA"]
    assert set(annex2.loc[annex2.state_iso3.isin(["IND", "PAK", "PRK"]), "status"]) == {"none"}
    assert not frame["state_iso3"].isin(["POL", "FRA", "GBR"]).any()


def test_signatories_recorded_as_parties_are_corrected(wh):
    """Israel (CWC), Egypt and Haiti (BWC) have only signed; manytreaties records them as parties."""
    cwc = wh.not_joined("CWC").set_index("state_iso3")
    assert cwc.loc["ISR", "status"] == "signatory"
    bwc = wh.not_joined("BWC").set_index("state_iso3")
    assert bwc.loc[["EGY", "HTI"], "status"].tolist() == ["signatory", "signatory"]
    assert wh.treaty_status("POL").set_index("instrument").loc["CCW Protocol II", "status"] == "party"  # in force


def test_matrix_by_alliance_and_region(wh):
    nato = wh.treaty_matrix(["NPT", "CTBT", "TPNW"], alliance="NATO")
    assert len(nato) == 32 and set(nato.columns) == {"state_iso3", "state", "NPT", "CTBT", "TPNW"}
    assert (nato["NPT"] == "party").all() and (nato["TPNW"] == "none").all()
    europe_nato = wh.treaty_matrix("NPT", region="Europe", alliance="NATO")
    assert set(europe_nato.state_iso3) == set(nato.state_iso3) - {"USA", "CAN", "TUR"}
    with pytest.raises(ValueError, match="unknown region or alliance"):
        wh.treaty_matrix(alliance="Warsaw Pact")


def test_status_counts_match_an_independent_reading(wh, shared_data):
    """BWC parties: states with a ratification date in the file (GGO or IEADB), by pandas alone."""
    raw = pd.read_csv(shared_data("treaties/manytreaties_arms_control_parties.csv"), dtype=str,
                      keep_default_na=False)
    bwc = raw[raw.treatyID.str.startswith("PD05WD_")]
    ratified = set(bwc.loc[(bwc.StateRatification != "") | (bwc.Rat != ""), "stateID"])
    stored = set(wh.df("SELECT DISTINCT state_iso3 FROM treaty_actions WHERE instrument = 'BWC' "
                       "AND action = 'ratification'")["state_iso3"])
    codes = {"ALG": "DZA", "BZL": "BRA", "LES": "LSO", "YAR": "YEM"}   # the file's non-ISO codes
    assert stored == {codes.get(s, s) for s in ratified} - {"SWA - SWZ", "GIN - GNQ", "KOR - PRK"}


def test_api_equals_python_api(wh):
    from signalfire.web.app import create_app
    from signalfire.web.streams.treaties import records
    app = create_app(wh.path, load_demo=False)
    with TestClient(app) as client:
        got = client.get("/api/v1/treaties/status/POL").json()["data"]
        assert got == records(wh.treaty_status("POL"))
        assert client.get("/api/v1/treaties/not-joined/CTBT").json()["data"] == records(wh.not_joined("CTBT"))
        assert client.get("/api/v1/treaties/flags?country=PRK").json()["data"] == records(wh.treaty_flags("PRK"))
        matrix = client.get("/api/v1/treaties/matrix?alliance=EU&instruments=NPT,CWC").json()["data"]
        assert matrix == records(wh.treaty_matrix(["NPT", "CWC"], alliance="EU"))
        csv = client.get("/api/v1/treaties/timeline/POL?format=csv")
        assert csv.headers["content-type"].startswith("text/csv")
        assert len(csv.text.strip().splitlines()) == len(wh.treaty_timeline("POL")) + 1
        bad = client.get("/api/v1/treaties/not-joined/XYZ")
        assert bad.status_code == 400 and "unknown instrument" in bad.json()["error"]["message"]
        page = client.get("/treaties/country/PRK", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "withdrawal not recorded" in page.text
    app.state.ds.close()
