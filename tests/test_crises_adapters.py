"""ICB actor-level and dyadic, GML MID dispute-level adapters: the real files load with totals checked against an
independent pandas reading, re-ingest is a no-op, bad rows are quarantined with reasons, a wrong file is a
SourceError."""

from __future__ import annotations

import pandas as pd
import pytest

from signalfire.sources import SourceError, get
from signalfire.store.ingest import ingest_file

ICB = "crises/icb2v15.csv"
ICB_DY = "crises/icbdy_v15.csv"
MID = "crises/gml_mid_disputes.csv"


def _balanced(result):
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined


def _reingest_is_noop(store, adapter, path, table):
    before = store.df(f"SELECT count(*) AS n, md5(string_agg(row_hash || record_ref, ',' ORDER BY record_ref)) AS d "
                      f"FROM {table}").iloc[0].tolist()
    again = ingest_file(store, get(adapter), path)
    _balanced(again)
    assert again.status == "unchanged" and again.new == again.updated == 0 and again.unchanged == before[0]
    after = store.df(f"SELECT count(*) AS n, md5(string_agg(row_hash || record_ref, ',' ORDER BY record_ref)) AS d "
                     f"FROM {table}").iloc[0].tolist()
    assert after == before


def test_icb_actor_file_totals_and_reingest(store, shared_data):
    path = shared_data(ICB)
    expected = pd.read_csv(path, encoding="utf-8-sig")
    result = ingest_file(store, get("icb-crises"), path)
    _balanced(result)
    assert result.read == len(expected) and result.quarantined == 0 and result.source_version == "15"
    got = store.df("SELECT crisis_no, count(*) AS actors, max(violence_severity) AS sev FROM crisis_actors "
                   "GROUP BY crisis_no ORDER BY crisis_no")
    want = expected.groupby("crisno").agg(actors=("cracno", "size"), sev=("sevvio", "max")).reset_index()
    assert got["crisis_no"].tolist() == want["crisno"].tolist()
    assert got["actors"].tolist() == want["actors"].tolist() and got["sev"].tolist() == want["sev"].tolist()
    mediated = store.df("SELECT count(*) AS n FROM crisis_actors WHERE mediation").n[0]
    assert mediated == int((expected["crismg"] == 3).sum())
    # Poland (COW 290) was an actor in 11 crises; the last began in 1980 (Solidarity)
    pol = store.df("SELECT crisis_no FROM crisis_actors WHERE country_iso3 = 'POL' ORDER BY crisis_no").crisis_no
    assert pol.tolist() == sorted(expected.loc[expected["cracid"] == 290, "crisno"].tolist())
    # ICB's inexact days (66/77/88) are read to the month, not lost
    inexact = expected["daterm"].isin([66, 77, 88]).sum()
    assert store.df("SELECT count(*) AS n FROM crisis_actors WHERE end_precision = 'month'").n[0] >= inexact
    _reingest_is_noop(store, "icb-crises", path, "crisis_actors")


def test_icb_dyadic_file_totals(store, shared_data):
    path = shared_data(ICB_DY)
    expected = pd.read_csv(path)
    result = ingest_file(store, get("icb-dyads"), path)
    _balanced(result)
    assert result.read == len(expected) == result.new
    got = store.df("SELECT crisis_no, count(*) AS n FROM crisis_dyads GROUP BY 1 ORDER BY 1")
    want = expected.groupby("crisno").size()
    assert got.set_index("crisis_no")["n"].to_dict() == want.to_dict()
    assert store.df("SELECT count(*) AS n FROM crisis_dyads WHERE ongoing").n[0] == int(expected["ongoing"].sum())
    _reingest_is_noop(store, "icb-dyads", path, "crisis_dyads")


def test_mid_dispute_file_totals_and_the_bad_month(store, shared_data):
    path = shared_data(MID)
    expected = pd.read_csv(path)
    result = ingest_file(store, get("mid-disputes"), path)
    _balanced(result)
    bad = expected["stmon"] > 12       # one dispute (1272) has month 13 in the file
    assert result.read == len(expected) and result.quarantined == int(bad.sum()) == 1
    reason = store.df("SELECT reason FROM quarantine").reason[0]
    assert "gml_mid_disputes.csv, line 402, column stmon" in reason and "13" in reason
    good = expected[~bad]
    got = store.df("SELECT hostility_level AS h, count(*) AS n, sum(max_duration_days) AS d FROM disputes GROUP BY 1")
    want = good.groupby("hostlev").agg(n=("dispnum", "size"), d=("maxdur", "sum"))
    assert got.set_index("h")["n"].to_dict() == {int(k): v for k, v in want["n"].items()}
    assert got.set_index("h")["d"].to_dict() == {int(k): v for k, v in want["d"].items()}
    # -9 (missing) fatality codes become NULL, not a fatality level
    assert store.df("SELECT count(*) AS n FROM disputes WHERE fatality_level IS NULL").n[0] == \
        int((good["fatality"] == -9).sum())
    _reingest_is_noop(store, "mid-disputes", path, "disputes")


HEADER = ("crisno,cracno,cracid,actor,systrgyr,systrgmo,systrgda,crisname,triggr,yrtrig,motrig,datrig,yrterm,moterm,"
          "daterm,gravty,sevvio,cenvio,crismg,outcom")


def test_icb_bad_rows_are_quarantined_with_reasons(store, tmp_path):
    path = tmp_path / "icb2_small.csv"
    lines = [
        HEADER,
        "900,1,290,POL,2001,5,3,TEST ONE,9,2001,5,3,2001,6,1,3,2,2,3,2",          # good, mediated
        "900,2,365,RUS,2001,5,3,TEST ONE,7,2001,5,77,2001,6,88,3,2,2,1,1",        # inexact days: read to the month
        ",3,2,USA,2001,5,3,NO NUMBER,9,2001,5,3,2001,6,1,3,2,2,3,2",              # missing crisno
        "901,4,2,USA,2001,2,30,BAD DAY,9,2001,2,30,2001,6,1,3,2,2,3,2",           # 30 February
        "902,5,2,USA,2001,5,3,ENDS EARLY,9,2001,5,3,2000,6,1,3,2,2,3,2",          # ends before it begins
        "903,6,2,USA,2001,5,3,BAD SEVERITY,9,2001,5,3,2001,6,1,3,x,2,3,2",        # not a number
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ingest_file(store, get("icb-crises"), path)
    _balanced(result)
    assert (result.read, result.new, result.quarantined) == (6, 2, 4)
    reasons = store.df("SELECT record_ref, reason FROM quarantine ORDER BY record_ref").set_index("record_ref").reason
    assert "column crisno: missing value" in reasons["line 4"]
    assert "no such date: 2001-02-30" in reasons["line 5"]
    assert "ends before it begins" in reasons["line 6"]
    assert "column sevvio: not a number: 'x'" in reasons["line 7"]
    rows = store.df("SELECT actor_code, mediation, trigger_precision, end_date FROM crisis_actors ORDER BY actor_no")
    assert rows["mediation"].tolist() == [True, False]
    assert rows["trigger_precision"].tolist() == ["day", "month"]
    assert str(rows["end_date"][1].date()) == "2001-06-01"


def test_wrong_files_are_source_errors(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    for name in ("icb-crises", "icb-dyads", "mid-disputes"):
        with pytest.raises(SourceError, match="other.csv, line 1: missing required column"):
            list(get(name).read(other))
