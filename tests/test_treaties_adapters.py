"""Treaty adapters: the real manytreaties and manyios files load with totals matching an independent pandas
reading, re-ingest is a no-op, the shipped instrument list and overrides load, and bad input is quarantined with
its reason (or is a SourceError naming the file)."""

from __future__ import annotations

import pandas as pd
import pytest

from signalfire.sources import SourceError, get
from signalfire.sources.diplomacy.reference import INSTRUMENTS, OVERRIDES
from signalfire.store.ingest import ingest_file

DATE_COLUMNS = {"signature": ["StateSignature", "stateSignature"], "ratification": ["StateRatification", "Rat"],
                "entry_into_force": ["StateForce"], "end": ["StateEnd"]}


def _balanced(result):
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined


def _expected_actions(path) -> pd.DataFrame:
    """The dated actions of the parties file read with pandas alone: one per non-empty state date column."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    out = []
    for action, cols in DATE_COLUMNS.items():
        value = pd.Series("", index=raw.index)
        for col in cols:
            value = value.where(value != "", raw[col].str.strip())
        value = value.where(value != "9999-12-31", "")
        out.append(pd.DataFrame({"line": raw.index + 2, "state": raw["stateID"], "action": action, "date": value}))
    long = pd.concat(out)
    return long[long["date"] != ""]


def test_manytreaties_real_file_totals_and_reingest(store, shared_data):
    path = shared_data("treaties/manytreaties_arms_control_parties.csv")
    result = ingest_file(store, get("manytreaties"), path)
    _balanced(result)
    expected = _expected_actions(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    dateless = len(raw) - expected["line"].nunique()
    assert result.read == len(expected) + dateless
    stored = store.df("SELECT action, count(*) AS n FROM treaty_actions GROUP BY action").set_index("action")["n"]
    reasons = store.df("SELECT reason FROM quarantine WHERE run_id = ?", [result.run_id])["reason"]
    # every quarantined record says why: unknown state, a date that is no date, a repeated key, or no dated action
    assert reasons.str.contains("stateID|not a date|no dated action|repeats|duplicate", regex=True).all()
    assert int(stored.sum()) == result.new
    # Poland: the NPT dates as published
    npt = store.df("""SELECT action, action_date FROM treaty_actions WHERE state_iso3 = 'POL' AND instrument = 'NPT'
                      ORDER BY action""")
    assert dict(zip(npt.action, npt.action_date.astype(str))) == {
        "entry_into_force": "1970-03-05", "ratification": "1969-06-12", "signature": "1968-07-01"}
    ggo_pol = raw[(raw.source == "GGO") & (raw.stateID == "POL") & (raw.treatyID == "TRTPNW_1968A")]
    assert ggo_pol["StateRatification"].tolist() == ["1969-06-12"]
    again = ingest_file(store, get("manytreaties"), path)
    assert again.status == "unchanged" and again.new == again.updated == 0


def test_manyios_real_file_totals(store, shared_data):
    path = shared_data("treaties/manyios_security_regimes_membership.csv")
    result = ingest_file(store, get("manyios"), path)
    _balanced(result)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert result.read == len(raw) == 473
    assert result.quarantined == 0
    counts = store.df("SELECT treaty_id, count(*) AS n FROM treaty_actions GROUP BY treaty_id").set_index(
        "treaty_id")["n"].to_dict()
    assert counts == raw.groupby("igoID").size().to_dict()
    psi = store.df("SELECT instrument, action, action_date, as_of_year FROM treaty_actions "
                   "WHERE treaty_id = 'PSI' AND state_iso3 = 'POL'")
    assert psi.iloc[0].tolist()[:2] == ["PSI", "membership"] and pd.isna(psi.iloc[0, 2])
    assert psi.iloc[0, 3] == 2017


def test_shipped_instruments_and_overrides_load(store):
    inst = ingest_file(store, get("treaty-instruments"), INSTRUMENTS)
    _balanced(inst)
    assert inst.quarantined == 0 and inst.new >= 25
    assert {"NPT", "CWC", "BWC", "CTBT", "PSI", "TPNW"} <= set(store.df("SELECT instrument FROM treaty_instruments")
                                                              ["instrument"])
    ovr = ingest_file(store, get("treaty-overrides"), OVERRIDES)
    _balanced(ovr)
    assert ovr.quarantined == 0
    rows = store.df("SELECT * FROM treaty_actions WHERE source = 'treaty-overrides'")
    assert rows["source_url"].str.startswith("https://").all()
    assert {("PRK", "NPT", "withdrawal"), ("RUS", "CTBT", "withdrawal_of_ratification")} <= set(
        zip(rows.state_iso3, rows.instrument, rows.action))


def test_fixture_bad_rows_are_quarantined_with_reasons(store, fixtures_dir):
    result = ingest_file(store, get("manytreaties"), fixtures_dir / "manytreaties_parties_sample.csv")
    _balanced(result)
    q = store.df("SELECT record_ref, column_name, reason FROM quarantine WHERE run_id = ?", [result.run_id])
    text = " | ".join(q["reason"])
    assert "unknown ISO 3166 alpha-3 code 'XYZ'" in text
    assert "column StateRatification: not a date (YYYY-MM-DD, 1678-2261): '1992-13-02'" in text
    assert "no dated action" in text                                  # DEU: nothing dated
    assert q["reason"].str.contains("manytreaties_parties_sample.csv, line ").all()
    # the uncertain BDI date is kept with a note; the producer's comment stays text
    bdi = store.df("SELECT action, action_date, note FROM treaty_actions WHERE state_iso3 = 'BDI' ORDER BY action")
    assert "uncertain date (published as 1964-05-08?)" in bdi.loc[bdi.action == "ratification", "note"].iloc[0]
    assert "<b>corrected</b>" in bdi["note"].iloc[0]
    # the IEADB row's lower-case stateSignature column is read (DuckDB's names are case-insensitive)
    ieadb = store.df("SELECT action, action_date FROM treaty_actions WHERE upstream = 'IEADB' ORDER BY action")
    assert ieadb["action"].tolist() == ["ratification", "signature"]


def test_override_without_source_is_quarantined(store, tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_text("# my corrections\nstate_iso3,instrument,action,action_date,note,source_url\n"
                    "PRK,NPT,withdrawal,2003-01-10,withdrew,\n"
                    "PRK,NPT,withdrawal,2003-01-10,withdrew,ftp://example.org\n"
                    "QQQ,NPT,withdrawal,2003-01-10,nobody,https://example.org\n"
                    "PRK,NPT,left,2003-01-10,bad action,https://example.org\n"
                    "PRK,NPT,withdrawal,2003-01-10,fine,https://example.org/a\n")
    result = ingest_file(store, get("treaty-overrides"), path)
    _balanced(result)
    assert (result.new, result.quarantined) == (1, 4)
    reasons = " | ".join(store.df("SELECT reason FROM quarantine")["reason"])
    assert "source_url: missing value" in reasons and "not an http(s) URL" in reasons
    assert "unknown ISO 3166 alpha-3 code 'QQQ'" in reasons and "unknown value: 'left'" in reasons


@pytest.mark.parametrize("name", ["manytreaties", "manyios", "treaty-overrides", "treaty-instruments"])
def test_wrong_file_is_a_source_error(store, tmp_path, name):
    path = tmp_path / "other.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(SourceError, match="other.csv.*missing required column"):
        ingest_file(store, get(name), path)
