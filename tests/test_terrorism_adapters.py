"""GTD country-year adapters (real files in ../shared/data, skipped when absent; invented fixtures always) and the
GTD incident adapter's full 135-column layout (the fixture's header is START's documented column list)."""

from __future__ import annotations

import pandas as pd
import pytest

from signalfire.sources import SourceError, get
from signalfire.store.ingest import ingest_file

T = "terrorism/"

# START's GTD codebook: the 135 columns of globalterrorismdb_<MMYY>dist, in order
GTD_COLUMNS = (  # noqa: SIM905
    "eventid iyear imonth iday approxdate extended resolution country country_txt region region_txt provstate city "
    "latitude longitude specificity vicinity location summary crit1 crit2 crit3 doubtterr alternative "
    "alternative_txt multiple success suicide attacktype1 attacktype1_txt attacktype2 attacktype2_txt attacktype3 "
    "attacktype3_txt targtype1 targtype1_txt targsubtype1 targsubtype1_txt corp1 target1 natlty1 natlty1_txt "
    "targtype2 targtype2_txt targsubtype2 targsubtype2_txt corp2 target2 natlty2 natlty2_txt targtype3 "
    "targtype3_txt targsubtype3 targsubtype3_txt corp3 target3 natlty3 natlty3_txt gname gsubname gname2 gsubname2 "
    "gname3 gsubname3 motive guncertain1 guncertain2 guncertain3 individual nperps nperpcap claimed claimmode "
    "claimmode_txt claim2 claimmode2 claimmode2_txt claim3 claimmode3 claimmode3_txt compclaim weaptype1 "
    "weaptype1_txt weapsubtype1 weapsubtype1_txt weaptype2 weaptype2_txt weapsubtype2 weapsubtype2_txt weaptype3 "
    "weaptype3_txt weapsubtype3 weapsubtype3_txt weaptype4 weaptype4_txt weapsubtype4 weapsubtype4_txt weapdetail "
    "nkill nkillus nkillter nwound nwoundus nwoundte property propextent propextent_txt propvalue propcomment "
    "ishostkid nhostkid nhostkidus nhours ndays divert kidhijcountry ransom ransomamt ransomamtus ransompaid "
    "ransompaidus ransomnote hostkidoutcome hostkidoutcome_txt nreleased addnotes scite1 scite2 scite3 dbsource "
    "INT_LOG INT_IDEO INT_MISC INT_ANY related").split()


def _ingest(store, name, path):
    result = ingest_file(store, get(name), path)
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined
    return result


def test_full_layout_fixture_has_the_135_documented_columns(fixtures_dir):
    header = pd.read_csv(fixtures_dir / "gtd_full_layout_sample.csv", nrows=0).columns.tolist()
    assert len(GTD_COLUMNS) == 135 and header == GTD_COLUMNS


def test_the_samples_columns_are_gtd_columns(shared_data):
    header = pd.read_csv(shared_data(T + "gtd_2017_sample1000.csv"), nrows=0).columns.tolist()
    # the extract's 12 columns: an R row index, 10 of GTD's and a GDP figure merged by the extract's author
    assert [c for c in header if c not in GTD_COLUMNS] == ["Unnamed: 0", "gdp"]


def test_gtd_country_year_real_totals(store, shared_data):
    path = shared_data(T + "gtd_country_year_1970-2008.csv")
    frame = pd.read_csv(path)
    result = _ingest(store, "gtd-country-year", path)
    bad = frame.ccode == 2000                        # no state has this code
    assert (result.read, result.new, result.quarantined) == (2 * len(frame), 2 * (~bad).sum(), 2 * bad.sum())
    got = store.df("SELECT measure, sum(value) AS v FROM country_year WHERE source = 'gtd-country-year' GROUP BY 1")
    got = got.set_index("measure")["v"]
    assert got["incidents"] == frame.loc[~bad, "terror_events"].sum()
    assert got["killed"] == pytest.approx(frame.loc[~bad, "terror_killed"].sum())   # a few fractional counts
    pol = store.terrorism("POL")
    pol = pol[pol.source == "gtd-country-year"].set_index("year")
    want = frame[frame.ccode == 290].set_index("year")
    assert pol["incidents"].to_dict() == want["terror_events"].astype(float).to_dict()
    assert pol["killed"].to_dict() == want["terror_killed"].astype(float).to_dict()
    again = _ingest(store, "gtd-country-year", path)
    assert (again.new, again.updated, again.status) == (0, 0, "unchanged")


def test_gtd_incidents_country_year_real_totals(store, shared_data):
    path = shared_data(T + "gtd_incidents_country_year_1970-2020.csv")
    frame = pd.read_csv(path)
    result = _ingest(store, "gtd-incidents-country-year", path)
    international = frame.country_txt == "International"
    got = store.df("SELECT sum(value) AS v, count(*) AS n FROM country_year "
                   "WHERE source = 'gtd-incidents-country-year'")
    # every incident but GTD's 'International' ones is stored once (renamed countries' lines are added up)
    assert got.v[0] == frame.loc[~international, "incidents"].sum()
    assert result.read == len(frame) and result.new == got.n[0]
    merged = store.df("SELECT count(*) AS n FROM quarantine WHERE reason LIKE '%added to that line%'").n[0]
    assert result.quarantined == international.sum() + merged and merged == 300
    for name, iso in (("Poland", "POL"), ("Ukraine", "UKR"), ("Belarus", "BLR"), ("Lithuania", "LTU")):
        want = frame[frame.country_txt == name].set_index("iyear")["incidents"].astype(float)
        mine = store.terrorism(iso)
        mine = mine[mine.source == "gtd-incidents-country-year"].set_index("year")["incidents"]
        assert mine.to_dict() == want.to_dict(), name
    germany = frame[frame.country_txt.isin(["Germany", "West Germany (FRG)"])].groupby("iyear")["incidents"].sum()
    mine = store.terrorism("DEU")
    mine = mine[mine.source == "gtd-incidents-country-year"].set_index("year")["incidents"]
    assert mine.to_dict() == germany.astype(float).to_dict()
    again = _ingest(store, "gtd-incidents-country-year", path)
    assert (again.new, again.updated, again.status) == (0, 0, "unchanged")


# -- invented fixtures in the files' layouts: always ------------------------------------------------------------
def test_country_year_fixture_bad_rows(store, fixtures_dir):
    result = _ingest(store, "gtd-country-year", fixtures_dir / "gtd_country_year_sample.csv")
    # 8 lines x 2 values; ccode 2000 quarantines both of its values, 'x' only its own
    assert (result.read, result.new, result.quarantined) == (16, 13, 3)
    reasons = store.df("SELECT column_name, reason FROM quarantine ORDER BY reason")
    assert reasons.reason.str.contains("unknown Gleditsch–Ward code '2000'").sum() == 2
    assert reasons.reason.str.contains("column terror_killed: not a number: 'x'").sum() == 1
    got = store.terrorism(["POL", "UKR", "RUS", "DEU"]).set_index(["country_iso3", "year"])
    assert got.loc[("POL", 1990), "incidents"] == 7 and got.loc[("RUS", 2001), "killed"] == 120
    assert got.loc[("UKR", 1995), "incidents"] == 3 and got.loc[("DEU", 1996), "incidents"] == 52
    assert pd.isna(got.loc[("POL", 2004), "killed"]) and got.loc[("POL", 2004), "incidents"] == 1


def test_incidents_fixture_renamed_country_is_added_not_duplicated(store, fixtures_dir):
    result = _ingest(store, "gtd-incidents-country-year", fixtures_dir / "gtd_incidents_country_year_sample.csv")
    assert (result.read, result.new, result.quarantined) == (12, 8, 4)
    cod = store.terrorism("COD").set_index("year")["incidents"]
    assert cod.to_dict() == {1996: 2.0, 1997: 6.0}        # Zaire 4 + Democratic Republic of the Congo 2 in 1997
    q = store.df("SELECT reason FROM quarantine ORDER BY record_ref").reason.tolist()
    assert any("'International' (international territory) is no country" in r for r in q)
    assert any("unknown country name 'Atlantis'" in r for r in q)
    assert any("line 10, column country_txt: same country-year as line 8 ('Zaire'); its 0 incidents are added"
               in r for r in q)
    assert any("line 11, column country_txt: same country-year as line 9 ('Zaire'); its 2 incidents are added to "
               "that line's count" in r for r in q)
    again = _ingest(store, "gtd-incidents-country-year", fixtures_dir / "gtd_incidents_country_year_sample.csv")
    assert (again.new, again.updated, again.status) == (0, 0, "unchanged")


@pytest.mark.parametrize("name,missing", [("gtd-country-year", "year"), ("gtd-incidents-country-year", "country_txt")])
def test_wrong_file_is_a_source_error(fixtures_dir, name, missing):
    with pytest.raises(SourceError, match=f"frontex_sample.csv.*missing required column.*{missing}"):
        list(get(name).read(fixtures_dir / "frontex_sample.csv"))
