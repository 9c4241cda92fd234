"""WMD adapters: ν-CLEAR (country_year) and Nuclear Cooperation Agreements (dyad_year) from the real files,
totals against an independent pandas reading, re-ingest a no-op, COW codes the COW table lacks (260, 678) read as
GW codes, a bad value quarantined alone; the nuclear profile in the Python API and the REST API agree."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from signalfire.sources import SourceError, get
from signalfire.store.ingest import ingest_file


def test_v_clear_totals(store, shared_data):
    path = shared_data("wmd/v_clear_nuclear_proficiency.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    indicators = [c for c in raw.columns if c not in ("id", "ccode", "country_name", "year")]
    result = ingest_file(store, get("v-clear"), path)
    assert result.read == len(raw) * len(indicators) == result.new + result.quarantined
    # the only quarantined values repeat a key: the German Federal Republic (COW 260) and Germany in 1990, the two
    # Yemens in 1990; none is lost silently
    reasons = store.df("SELECT reason FROM quarantine")["reason"]
    assert reasons.str.contains("duplicate key").all() and len(reasons) == result.quarantined
    stored = store.df("SELECT year, count(*) AS n FROM country_year WHERE source = 'v-clear' "
                      "AND measure = 'nuclear_weapons' AND value = 1 AND year IN (1970, 2001) GROUP BY year")
    expected = raw[(raw["nuclear_weapons"] == "True") & raw["year"].isin(["1970", "2001"])].groupby("year").size()
    assert dict(zip(stored["year"].astype(str), stored["n"])) == expected.to_dict()
    assert store.df("SELECT country_iso3 FROM country_year WHERE source = 'v-clear' AND year = 1970 "
                    "AND measure = 'uranium_possession' AND country_gw = 260")["country_iso3"].tolist() == ["DEU"]
    again = ingest_file(store, get("v-clear"), path)
    assert again.status == "unchanged"


def test_nca_totals_and_profile(store, shared_data):
    path = shared_data("wmd/nuclear_cooperation_agreements.csv")
    raw = pd.read_csv(path)
    result = ingest_file(store, get("nca"), path)
    assert result.read == len(raw) == result.new + result.quarantined
    keys = raw.assign(m=raw["nca_type"]).duplicated(["ccode1", "ccode2", "year", "m"])
    assert result.quarantined == keys.sum()       # the repeats of a (dyad, year, type): counted, with reasons
    pol = raw[(raw["country1"] == "Poland") | (raw["country2"] == "Poland")]
    profile = store.nuclear_profile("POL")
    assert int(profile["nca"]["agreements"].sum()) == len(pol.drop_duplicates(["ccode1", "ccode2", "year",
                                                                                 "nca_type"]))


def test_bad_value_is_quarantined_alone(store, tmp_path):
    path = tmp_path / "vclear.csv"
    path.write_text("id,ccode,country_name,year,uranium_possession,nuclear_weapons\n"
                    "1,290,Poland,1990,True,maybe\n2,999,Nowhere,1990,True,False\n")
    result = ingest_file(store, get("v-clear"), path)
    assert (result.read, result.new, result.quarantined) == (4, 1, 3)
    reasons = " | ".join(store.df("SELECT reason FROM quarantine")["reason"])
    assert "column nuclear_weapons: not True/False: 'maybe'" in reasons and "unknown COW code '999'" in reasons
    with pytest.raises(SourceError, match="missing required column"):
        ingest_file(store, get("nca"), path)


def test_api_equals_python_api(store, shared_data):
    from signalfire.web.app import create_app
    from signalfire.web.streams.treaties import records
    ingest_file(store, get("v-clear"), shared_data("wmd/v_clear_nuclear_proficiency.csv"))
    ingest_file(store, get("nca"), shared_data("wmd/nuclear_cooperation_agreements.csv"))
    expected = store.nuclear_profile("PRK")
    store.con.execute("CHECKPOINT")
    with TestClient(create_app(store.path, load_demo=False)) as client:
        got = client.get("/api/v1/treaties/nuclear/PRK").json()
    assert got["capabilities"] == expected["capabilities"] and "weapons_pursuit" in got["capabilities"]
    assert got["nca"] == records(expected["nca"])
