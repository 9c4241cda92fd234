"""UN General Assembly adapters and queries on a hand-made case in the unvotes layout: the agreement index
checked against hand-computed values, tallies, search, bad rows quarantined, API == Python API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from signalfire.sources import SourceError, get
from signalfire.store.ingest import ingest_file


@pytest.fixture
def wh(store, fixtures_dir):
    for name, file in [("unvotes-roll-calls", "unvotes_roll_calls_sample.csv"),
                       ("unvotes-issues", "unvotes_issues_sample.csv"), ("unvotes", "unvotes_votes_sample.csv")]:
        result = ingest_file(store, get(name), fixtures_dir / file)
        assert result.read == result.new + result.updated + result.unchanged + result.quarantined
    return store


def test_bad_rows_are_quarantined_with_reasons(wh):
    q = wh.df("SELECT reason FROM quarantine ORDER BY reason")["reason"].tolist()
    assert any("unvotes_roll_calls_sample.csv, line 6, column date: not a date: 'not a date'" in r for r in q)
    assert any("unvotes_votes_sample.csv, line 17, column country: unknown country name 'Zanzibar'" in r for r in q)
    assert any("unvotes_votes_sample.csv, line 18, column vote: unknown value: 'maybe'" in r for r in q)
    assert wh.df("SELECT count(*) AS n FROM unga_votes").n[0] == 15


def test_agreement_hand_computed(wh):
    # POL-USA: same, opposite, abstain/no, same -> identical 2/4, coincidence (1+0+0.5+1)/4
    # POL-RUS: opposite, same, same (RUS absent on 4) -> 2/3, 2/3
    # POL-DEU: same, yes/abstain, same, no/abstain -> identical 2/4, coincidence (1+0.5+1+0.5)/4
    frame = wh.vote_agreement("POL", session=74).set_index("partner_iso3")
    assert list(frame.index) == ["DEU", "RUS", "USA"]                      # closest first
    assert frame.loc["USA", ["votes", "identical", "coincidence"]].tolist() == [4, 0.5, 0.625]
    assert frame.loc["RUS", "votes"] == 3
    assert frame.loc["RUS", "identical"] == pytest.approx(2 / 3) and frame.loc["RUS", "coincidence"] == pytest.approx(2 / 3)
    assert frame.loc["DEU", ["identical", "coincidence"]].tolist() == [0.5, 0.75]
    on_di = wh.vote_agreement("POL", session=74, issue="di").set_index("partner_iso3")   # roll calls 1 and 2
    assert on_di.loc["USA", ["votes", "identical", "coincidence"]].tolist() == [2, 0.5, 0.5]
    assert on_di.loc["DEU", ["identical", "coincidence"]].tolist() == [0.5, 0.75]
    by_year = wh.vote_agreement("POL", year=2019)                           # the same four roll calls
    cols = ["partner_iso3", "votes", "identical", "coincidence"]
    assert by_year[cols].equals(wh.vote_agreement("POL", session=74)[cols])
    by_issue = wh.agreement_by_issue("POL", "USA", session=74).set_index("issue_code")
    assert by_issue.loc["all", "coincidence"] == 0.625 and by_issue.loc["hr", "coincidence"] == 0.5
    over_time = wh.agreement_over_time("POL", "DEU")
    assert over_time[["session", "votes", "coincidence"]].values.tolist() == [[74, 4, 0.75]]


def test_search_tallies_and_votes(wh):
    hits = wh.resolutions("chemical weapons convention", country="POL")
    assert hits["rcid"].tolist() == [1]
    assert hits.iloc[0][["yes", "no", "abstain", "country_vote", "issues"]].tolist() == [3, 1, 0, "yes", "di"]
    assert wh.resolutions("chemical budget").empty                          # every word must match
    assert wh.resolutions("50%_").empty                                      # LIKE wildcards are literal
    votes = wh.votes(4)
    assert dict(zip(votes.country_iso3, votes.vote)) == {"POL": "no", "USA": "no", "DEU": "abstain"}


def test_api_equals_python_api_and_text_is_inert(wh):
    from signalfire.web.app import create_app
    from signalfire.web.streams.treaties import records
    wh.con.execute("CHECKPOINT")
    app = create_app(wh.path, load_demo=False)
    with TestClient(app) as client:
        got = client.get("/api/v1/unga/agreement/POL?session=74").json()["data"]
        assert got == records(wh.vote_agreement("POL", session=74))
        got = client.get("/api/v1/unga/resolutions?search=weapons&country=POL").json()["data"]
        assert got == records(wh.resolutions("weapons", country="POL"))
        pair = client.get("/api/v1/unga/agreement/POL/DEU").json()["data"]
        assert pair == records(wh.agreement_over_time("POL", "DEU"))
        page = client.get("/unga/roll-calls/3", headers={"Accept": "text/html"}).text
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert client.get("/api/v1/unga/roll-calls/99").status_code == 404
        assert client.get("/api/v1/unga/agreement/POL?issue=xx").status_code == 400


def test_unsc_reference_table():
    from signalfire.analysis.unga import unsc_members, unsc_terms
    terms = unsc_terms("POL")
    assert [(t.first_year, t.last_year) for t in terms.itertuples()] == [(1996, 1997), (2018, 2019)]
    for year in range(1989, 2027):
        assert len(unsc_members(year)) == 10, year
    assert "POL" in set(unsc_members(2019)["state_iso3"])


def test_ctbt_annex2_has_44_states():
    from signalfire.analysis.treaties import ctbt_annex2
    assert len(ctbt_annex2()) == 44 and {"POL", "USA", "PRK", "IND", "PAK"} <= ctbt_annex2()


def test_wrong_file_is_a_source_error(store, fixtures_dir):
    with pytest.raises(SourceError, match="unvotes_issues_sample.csv.*missing required column"):
        ingest_file(store, get("unvotes"), fixtures_dir / "unvotes_issues_sample.csv")
