"""The real unvotes files (Voeten, sessions 1-74): totals against an independent pandas reading, re-ingest is a
no-op, the search finds the CWC implementation resolutions with their votes, and the agreement of Poland in the
last session matches a pandas computation.  One module-scoped store: the votes file is 870,109 rows."""

from __future__ import annotations

import pandas as pd
import pytest

from signalfire.sources import get
from signalfire.store.ingest import ingest_file

pytestmark = pytest.mark.slow   # the votes file is 870,109 rows: about a minute on two cores

FILES = {"unvotes-roll-calls": "un/un_roll_calls.csv.gz", "unvotes-issues": "un/un_roll_call_issues.csv.gz",
         "unvotes": "un/un_votes.csv.gz"}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from conftest import shared_path

    from signalfire.warehouse import Warehouse
    paths = {name: shared_path(rel) for name, rel in FILES.items()}
    wh = Warehouse(tmp_path_factory.mktemp("unga") / "u.duckdb")
    results = {name: ingest_file(wh, get(name), path) for name, path in paths.items()}
    yield wh, paths, results
    wh.close()


def test_totals_match_pandas(loaded):
    wh, paths, results = loaded
    votes = pd.read_csv(paths["unvotes"], dtype=str, keep_default_na=False)
    calls = pd.read_csv(paths["unvotes-roll-calls"], dtype=str, keep_default_na=False)
    issues = pd.read_csv(paths["unvotes-issues"], dtype=str, keep_default_na=False)
    for name, frame in [("unvotes", votes), ("unvotes-roll-calls", calls), ("unvotes-issues", issues)]:
        r = results[name]
        assert r.read == len(frame) == r.new + r.quarantined, name
    assert results["unvotes-roll-calls"].quarantined == results["unvotes-issues"].quarantined == 0
    # only Zanzibar's votes (no ISO code) are quarantined
    assert results["unvotes"].quarantined == (votes["country"] == "Zanzibar").sum() == 2
    stored = wh.df("SELECT vote, count(*) AS n FROM unga_votes GROUP BY vote").set_index("vote")["n"].to_dict()
    expected = votes[votes["country"] != "Zanzibar"]["vote"].value_counts().to_dict()
    assert stored == expected
    pol = wh.df("SELECT count(*) AS n FROM unga_votes WHERE country_iso3 = 'POL'").n[0]
    assert pol == (votes["country"] == "Poland").sum()
    again = ingest_file(wh, get("unvotes-issues"), paths["unvotes-issues"])
    assert again.status == "unchanged" and again.new == 0


def test_search_finds_the_cwc_implementation_resolutions(loaded):
    wh = loaded[0]
    hits = wh.resolutions("Chemical Weapons Convention", country="POL")
    recent = hits[hits["vote_date"].dt.year.between(2016, 2019)]
    assert recent["unres"].tolist() == ["A/RES/74/40", "R/73/45", "A/RES/72/43", "A/RES/71/69"]
    assert recent["short"].str.startswith("Implementation of the Convention on the Prohibition").all()
    assert (recent["country_vote"] == "yes").all()
    for row in recent.itertuples():   # the tallies are the votes stored for that roll call
        counts = wh.votes(row.rcid)["vote"].value_counts()
        assert (row.yes, row.no, row.abstain) == (counts.get("yes", 0), counts.get("no", 0), counts.get("abstain", 0))


def test_poland_agreement_matches_pandas(loaded):
    wh, paths, _ = loaded
    votes = pd.read_csv(paths["unvotes"], dtype={"vote": str, "country": str}, keep_default_na=False)
    calls = pd.read_csv(paths["unvotes-roll-calls"], usecols=["rcid", "session"])
    last = int(calls["session"].max())
    rcids = set(calls.loc[calls["session"] == last, "rcid"])
    v = votes[votes["rcid"].isin(rcids)]
    pol = v[v["country"] == "Poland"][["rcid", "vote"]]
    pair = pol.merge(v[v["country"] == "Latvia"][["rcid", "vote"]], on="rcid")
    score = pair.apply(lambda r: 1.0 if r.vote_x == r.vote_y else 0.5 if "abstain" in (r.vote_x, r.vote_y)
                       else 0.0, axis=1)
    frame = wh.vote_agreement("POL").set_index("partner_iso3")
    assert frame["session"].iloc[0] == last == 74
    assert frame.loc["LVA", "votes"] == len(pair)
    assert frame.loc["LVA", "coincidence"] == pytest.approx(score.mean())
    assert frame.loc["LVA", "identical"] == pytest.approx((pair.vote_x == pair.vote_y).mean())
    assert frame.index[0] == "LVA"
