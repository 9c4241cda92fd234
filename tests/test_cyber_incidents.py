"""CFR Cyber Operations Tracker and DCID v2.0 into cyber_incidents: the real files (when present) against an
independent pandas reading, re-ingest as a no-op, fixtures in the producers' layouts (CFR is not redistributable;
DCID has no licence), shifted rows, bad rows quarantined with reasons, wrong files refused, the norm rule."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import Workbook

from signalfire.geo.countries import resolve
from signalfire.sources import get
from signalfire.sources.base import SourceError
from signalfire.sources.cyber.incidents import norm_tags, states_named
from signalfire.store.ingest import ingest_file

CFR_COLUMNS = ["Title", "Date", "Affiliations", "Description", "Response", "Victims", "Sponsor", "Type", "Category",
               "Sources_1", "Sources_2", "Sources_3", "sponsor_cow", "sponsor_flag"]
DCID_COLUMNS = ["Cyberincidentnum", "Dyadpair", "StateA", "StateB", "Name", "interactionstartdate",
                "interactionenddate", "method", "targettype", "initiator", "cyber_objective", "information_operation",
                "objective_achievement", "Concession ", "3rdpartyinitiator", "severity", "damage type", "Crit Inf",
                "Supply Ch", "Ransomware", "Political Objective", "Sources1", "Sources2", "Sources3", "Sources4",
                "Sources5", "Justice", "Cert", "FBI"]


def _xlsx(path, columns, rows, sheet="Sheet1"):
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(columns)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def _balanced(result):
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined


def _cfr_fixture(tmp_path):
    return _xlsx(tmp_path / "cfr.xlsx", CFR_COLUMNS, [
        ["Targeting of Polish members of parliament's email accounts", dt.datetime(2021, 6, 18), "Ghostwriter",
         "A threat actor targeted email accounts of Polish politicians.",
         "Denouncement   https://example.invalid/statement", "Polish members of parliament", "Belarus, Russian Federation",
         "Espionage", "Government", "https://example.invalid/a", None, None, 370, None],
        ["Sabotage of a Ukrainian power grid", dt.datetime(2015, 12, 23), "Believed to be the work of Sandworm",
         "Power outage after a wiper attack on electricity distribution companies.", None,
         "Ukrainian electricity distribution companies", "Russian Federation", "Sabotage", "Private sector",
         None, None, None, 365, None],
        ["Targeting of websites in Latvia, Lithuania, and Poland", dt.datetime(2020, 7, 29), None, None, None,
         "Latvia, Lithuania, Poland", None, "Defacement", "Government", None, None, None, 365, "INFERRED_HIGH"],
        # a shifted row as in the re-published file: Response holds the victims, Victims the sponsor, Sponsor the type
        ["Targeting of a Polish university", dt.datetime(2020, 4, 23), "Russia", None, "Polish war studies university",
         "Russian Federation", "Defacement", "Government, Military", "https://example.invalid/b", None, None, 365,
         "COLUMN_SHIFT_FIX"],
        ["Undated operation", None, "Possibly linked to APT 28", None, None, "Germany", "Russian Federation",
         "Espionage", "Government", None, None, None, 365, None],
        ["Bad date", "sometime in 2019", None, None, None, "France", "China", "Espionage", "Government", None,
         None, None, 710, None],
        ["Type in the wrong cell", dt.datetime(2018, 5, 17), None, None, "Pakistan", "Israel", "United Kingdom",
         None, "Espionage", "Private sector", None, None, 200, "COLUMN_SHIFT_FIX"],
    ], sheet="cfr_attacker_coded.csv")


def test_cfr_fixture_in_the_producers_layout(store, tmp_path):
    path = _cfr_fixture(tmp_path)
    result = ingest_file(store, get("cfr-cyber"), path)
    _balanced(result)
    assert (result.read, result.new, result.quarantined) == (7, 5, 2)
    rows = store.cyber_incidents().set_index("name")
    mps = rows.loc["Targeting of Polish members of parliament's email accounts"]
    assert list(mps["sponsor_iso3"]) == ["BLR", "RUS"] and list(mps["victim_iso3"]) == ["POL"]
    assert (mps["type"], mps["response"], mps["attribution_confidence"]) == ("espionage", "Denouncement", "high")
    grid = rows.loc["Sabotage of a Ukrainian power grid"]
    assert list(grid["victim_iso3"]) == ["UKR"] and set(grid["norms"]) == {"13(f)", "13(g)"}
    baltic = rows.loc["Targeting of websites in Latvia, Lithuania, and Poland"]
    assert list(baltic["victim_iso3"]) == ["LVA", "LTU", "POL"]
    assert list(baltic["sponsor_iso3"]) == ["RUS"] and baltic["attribution_confidence"] == "medium"   # coded
    shifted = rows.loc["Targeting of a Polish university"]
    assert (list(shifted["sponsor_iso3"]), list(shifted["victim_iso3"]), shifted["type"]) == (["RUS"], ["POL"],
                                                                                              "defacement")
    assert list(shifted["sectors"]) == ["government", "military"]
    undated = rows.loc["Undated operation"]
    assert pd.isna(undated["date_start"]) and undated["attribution_confidence"] == "low"
    reasons = " | ".join(store.df("SELECT reason FROM quarantine").reason)
    assert "row 7, column Date: not a date: 'sometime in 2019'" in reasons
    assert "row 8, column Category: holds an operation type" in reasons
    again = ingest_file(store, get("cfr-cyber"), path)
    assert again.status == "unchanged"


def test_cfr_real_file_against_pandas(store, shared_data):
    path = shared_data("cyber/cfr_cyber_operations_tracker_coded.xlsx")
    frame = pd.read_excel(path)
    result = ingest_file(store, get("cfr-cyber"), path)
    _balanced(result)
    assert result.read == len(frame) == 713
    stored = store.cyber_incidents(source="cfr-cyber")
    assert result.new == len(stored) and result.quarantined == len(frame) - len(stored)
    # rows whose Type is one of CFR's types (not shifted) keep it, normalised
    clean = frame[frame["Type"].isin(["Espionage", "Sabotage", "Denial of service", "Data destruction",
                                      "Financial Theft", "Defacement", "Doxing"])]
    expected = clean["Type"].str.lower().replace({"denial of service": "ddos", "data destruction": "data_destruction",
                                                  "financial theft": "financial_theft"}).value_counts()
    got = stored["type"].value_counts()
    for kind, n in expected.items():
        assert n <= got[kind] <= n + 5, kind           # + the shifted rows put back (a handful)
    # every row naming Poland in its Victims cell has Poland among its victim states
    poland = frame[frame["Victims"].fillna("").str.contains(r"\bPoland\b")]
    named = {(n, str(d)[:10]) for n, d, v in zip(stored["name"], stored["date_start"], stored["victim_iso3"])
             if "POL" in list(v)}
    assert len(poland) > 5
    assert {(t, str(d)[:10]) for t, d in zip(poland["Title"], poland["Date"])} <= named
    assert ingest_file(store, get("cfr-cyber"), path).status == "unchanged"


def _dcid_fixture(tmp_path):
    def row(num, dyad, a, b, name, start, end, method, target, initiator, objective, severity, crit, supply):
        return [num, dyad, a, b, name, start, end, method, target, initiator, objective, 0, 1, 0, 0, severity, 1,
                crit, supply, 0, "objective text", "https://example.invalid/s1", None, None, None, None, None, None,
                None]
    return _xlsx(tmp_path / "dcid.xlsx", DCID_COLUMNS, [
        row(1, 2365, "US", "Russia", "Regin-like campaign", dt.datetime(2008, 2, 1), dt.datetime(2011, 3, 1), 3.0, 2,
            2, 3, 4, 13, 0),
        row(2, 290365, "Poland", "Russia", "Grid disruption", dt.datetime(2017, 6, 27), dt.datetime(2017, 6, 28),
            4.1, 1, 365, 4, 6, 8, 1),
        row(3, 365368, "Russia", "Lithuania", "DDoS on ministries", dt.datetime(2018, 1, 5), dt.datetime(2018, 1, 6),
            2.0, 2, 365, 1, 2, 11, 0),
        row(4, 365369, "Russia", "Ukraine", "Ends before it starts", dt.datetime(2019, 5, 1), dt.datetime(2019, 4, 1),
            3.0, 2, 365, 2, 3, 11, 0),
        row(5, 640645, "Turkey", "Iraq", "Initiator outside the dyad", dt.datetime(2019, 5, 1), dt.datetime(2019, 6, 1),
            3.0, 2, 630, 2, 3, 11, 0),
    ], sheet="DCID_2.0_Release_public_June_20")


def test_dcid_fixture_in_the_producers_layout(store, tmp_path):
    result = ingest_file(store, get("dcid"), _dcid_fixture(tmp_path))
    _balanced(result)
    assert (result.read, result.new, result.quarantined) == (5, 3, 2)
    rows = store.cyber_incidents(source="dcid").set_index("source_id")
    assert (list(rows.loc["1", "sponsor_iso3"]), list(rows.loc["1", "victim_iso3"]), rows.loc["1", "type"]) == (
        ["USA"], ["RUS"], "espionage")
    grid = rows.loc["2"]
    assert (list(grid["sponsor_iso3"]), list(grid["victim_iso3"]), grid["type"]) == (["RUS"], ["POL"],
                                                                                   "data_destruction")
    assert set(grid["norms"]) == {"13(f)", "13(g)", "13(i)"} and "energy" in list(grid["sectors"])
    assert rows.loc["3", "type"] == "ddos" and "13(f)" not in list(rows.loc["3", "norms"])   # government, not CI
    reasons = " | ".join(store.df("SELECT reason FROM quarantine").reason)
    assert "row 5, column interactionenddate: before interactionstartdate" in reasons
    assert "row 6, column initiator: initiator 630 is not one of the dyad pair 640645" in reasons


def test_dcid_real_file_against_pandas(store, shared_data):
    path = shared_data("cyber/DCID_2.0_Release_update_February_2023.xlsx")
    frame = pd.read_excel(path, sheet_name=0)
    result = ingest_file(store, get("dcid"), path)
    _balanced(result)
    assert result.read == len(frame) == 429
    stored = store.cyber_incidents(source="dcid")
    assert result.new == len(stored) and result.quarantined == len(frame) - len(stored) < 15
    loaded = frame[frame["Cyberincidentnum"].astype(str).isin(stored["source_id"])]
    expected = loaded["initiator"].map(lambda c: resolve(str(c), "cow").iso3).value_counts().sort_index()
    got = stored["sponsor_iso3"].map(lambda v: v[0]).value_counts().sort_index()
    assert got.to_dict() == expected.to_dict()
    assert stored["severity"].sum() == loaded["severity"].sum()
    assert ingest_file(store, get("dcid"), path).status == "unchanged"


def test_wrong_files_are_refused(store, tmp_path, fixtures_dir):
    other = _xlsx(tmp_path / "other.xlsx", ["a", "b"], [[1, 2]])
    with pytest.raises(SourceError, match="missing required column"):
        ingest_file(store, get("cfr-cyber"), other)
    with pytest.raises(SourceError, match="DCID"):
        ingest_file(store, get("dcid"), other)
    with pytest.raises(SourceError):
        ingest_file(store, get("dcid"), fixtures_dir / "cyber" / "stix20_bundle.json")


def test_states_named_and_norm_rule():
    assert states_named("Ukrainian and Polish transportation companies") == ["UKR", "POL"]
    assert states_named("Bank of America, Citigroup") == []
    assert states_named("U.S. government and private companies") == ["USA"]
    assert norm_tags("ddos", ["government"], "ministry websites") == []
    assert norm_tags("ddos", ["private sector"], "a national bank") == ["13(f)", "13(g)"]
    assert norm_tags("espionage", ["civil society"], "journalists") == ["13(e)"]
    assert norm_tags("espionage", [], "a software update of a vendor") == ["13(i)"]
    assert "13(k)" in norm_tags("sabotage", [], "the national CERT")


def test_queries_roles_and_errors(store, tmp_path):
    from signalfire.analysis.cyber import CyberQueryError
    ingest_file(store, get("cfr-cyber"), _cfr_fixture(tmp_path))
    ingest_file(store, get("dcid"), _dcid_fixture(tmp_path))
    as_victim = store.cyber_incidents("Poland", role="victim")
    assert len(as_victim) == 4 and all("POL" in list(v) for v in as_victim["victim_iso3"])
    assert store.cyber_incidents("POL", role="sponsor").empty
    assert len(store.cyber_incidents("RUS", role="sponsor", since="2017", until="2018")) == 2
    matrix = store.cyber_matrix().set_index(["sponsor", "victim"])["incidents"]
    assert matrix.loc[("RUS", "POL")] == 4 and matrix.loc[("BLR", "POL")] == 1
    with pytest.raises(CyberQueryError, match="unknown country"):
        store.cyber_incidents("Atlantis")
    with pytest.raises(CyberQueryError, match="unknown type"):
        store.cyber_incidents(type="hacking")
