"""Missions adapters on fixtures: the UN data hub layout (tests/fixtures/un_pko_hub_contributions.csv, made-up
figures in the hub's layout), the user-supplied layouts (rows labelled EXAMPLE, not real missions), the shipped
example of real user-supplied missions, and small files in the producers' layouts with bad records, which are
quarantined with reasons naming file, line and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from signalfire.sources import SourceError, get
from signalfire.store.ingest import ingest_file

ROOT_DOCS = Path(__file__).resolve().parents[1] / "docs"


def _balanced(result):
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined


def _reasons(store, result) -> dict[str, str]:
    q = store.quarantine(result.run_id)
    return dict(zip(q["record_ref"], q["reason"]))


def test_hub_fixture_loads_totals_are_male_plus_female(store, fixtures_dir):
    path = fixtures_dir / "un_pko_hub_contributions.csv"
    result = ingest_file(store, get("un-pko-hub"), path)
    _balanced(result)
    assert (result.read, result.new, result.quarantined) == (16, 9, 7)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = store.deployments("POL", mission="UNIFIL", source="un-pko-hub")
    oct_troops = rows[(rows.month == "2024-10") & (rows.personnel_type == "troops")].iloc[0]
    first = raw.iloc[0]
    assert (oct_troops.male, oct_troops.female, oct_troops.total) == (180, 20, 200)
    assert oct_troops.total == int(first.male_personnel) + int(first.female_personnel)
    assert oct_troops.source_record_id == "1001"
    assert set(rows.personnel_type) == {"troops", "staff_officers"}
    kinds = set(store.deployments(None, source="un-pko-hub").personnel_type)
    assert kinds == {"troops", "staff_officers", "experts", "formed_police", "individual_police"}
    reasons = _reasons(store, result)
    assert "unknown ISO 3166 alpha-3 code 'XXX'" in reasons["line 11"]
    assert "column personnel_type: unknown value: 'Cooks'" in reasons["line 12"]
    assert "column male_personnel: below 0" in reasons["line 13"]
    assert "column female_personnel: not a number: 'abc'" in reasons["line 14"]
    assert "column last_reporting_date: not a date: '31/10/2024'" in reasons["line 15"]
    assert "duplicate key" in reasons["line 16"] and "line 2" in reasons["line 16"]
    assert "too few fields" in reasons["line 17"]
    assert all(r.startswith("un_pko_hub_contributions.csv, line ") for r in reasons.values())
    again = ingest_file(store, get("un-pko-hub"), path)
    _balanced(again)
    assert again.status == "unchanged" and again.new == again.updated == 0


def test_hub_and_ipi_rows_for_the_same_month_are_kept_apart(store, fixtures_dir, tmp_path):
    ingest_file(store, get("un-pko-hub"), fixtures_dir / "un_pko_hub_contributions.csv")
    ipi = tmp_path / "Poland.csv"
    ipi.write_text("Date,Troops,Police,Experts\n2024-10-31,150,,2\n")
    result = ingest_file(store, get("ipi-contributions"), ipi)
    assert (result.new, result.quarantined) == (2, 0)
    both = store.deployments("POL", since="2024-10", until="2024-10")
    assert set(both.source) == {"un-pko-hub", "ipi-contributions"}
    combined = store.deployment_series("POL").query("month == '2024-10'")
    assert set(combined.source) == {"un-pko-hub"}       # the most detailed source wins the month


def test_user_missions_and_contributions(store, fixtures_dir):
    missions = ingest_file(store, get("missions-user"), fixtures_dir / "missions_user_example.csv")
    _balanced(missions)
    assert (missions.new, missions.quarantined) == (2, 4)
    reasons = _reasons(store, missions)
    assert reasons["line 4"].endswith("column source_url: missing value")
    assert "not one of UN, AU, EU, NATO" in reasons["line 5"]
    assert "before mandate_start" in reasons["line 6"] and "XYZ" in reasons["line 6"]
    assert "not an http(s) URL" in reasons["line 7"]
    contributions = ingest_file(store, get("missions-user-contributions"),
                                fixtures_dir / "missions_user_contributions_example.csv")
    _balanced(contributions)
    assert (contributions.new, contributions.quarantined) == (3, 5)
    reasons = _reasons(store, contributions)
    assert "source_url: missing value" in reasons["line 5"]
    assert "is not male + female" in reasons["line 6"]
    assert "'QQQ'" in reasons["line 7"] and "'cooks'" in reasons["line 8"] and "give total" in reasons["line 9"]
    listed = store.missions().set_index("mission")
    assert bool(listed.loc["EX-ALPHA", "user_supplied"]) and listed.loc["EX-BRAVO", "host_iso3"] == "IRQ;SYR"
    served = store.country_missions("POL").set_index("mission")
    assert served.loc["EX-ALPHA", "latest_total"] == 210 and bool(served.loc["EX-ALPHA", "user_supplied"])
    assert served.loc["EX-ALPHA", "source_url"].startswith("https://example.org/")
    # user rows never enter the UN series
    assert store.deployment_series("POL", source=None).empty


def test_shipped_example_loads_clean(store):
    result = ingest_file(store, get("missions-user"), ROOT_DOCS / "examples" / "missions_user.csv")
    _balanced(result)
    assert result.quarantined == 0 and result.new >= 3
    rows = store.con.execute("SELECT mission, source_url, user_supplied FROM missions").fetchall()
    assert all(url.startswith("https://") and flag for _, url, flag in rows)


def test_ipi_layout_bad_values_quarantined_alone(store, tmp_path):
    path = tmp_path / "contributions.csv"
    path.write_text("Contributor,Date,Troops,Police,Experts\n"
                    "Poland,1999-01-31,100,5,\n"            # 2 values
                    "Poland,1999-02-30,100,5,3\n"           # bad date: 3 values quarantined
                    "Narnia,1999-03-31,1,,\n"               # unknown country: 1 value quarantined
                    "Poland,1999-04-30,-4,x,7\n"            # 2 bad values alone, 1 loaded
                    "Poland,1999-05-31,,,\n")               # no values: nothing reported, no record
    result = ingest_file(store, get("ipi-contributions"), path)
    _balanced(result)
    assert (result.read, result.new, result.quarantined) == (9, 3, 6)
    q = store.quarantine(result.run_id)
    assert (q.record_ref == "line 3").sum() == 3 and "column Date: not a date" in q.reason[q.record_ref == "line 3"].iloc[0]
    assert "unknown country name 'Narnia'" in q.reason[q.record_ref == "line 4"].iloc[0]
    line5 = q[q.record_ref == "line 5"].set_index("column_name").reason
    assert "negative count" in line5["Troops"] and "not a number: 'x'" in line5["Police"]


def test_fatalities_that_do_not_add_up_are_quarantined(store, tmp_path):
    head = "Year,Month,Nationality,Mission,Illness,Accident,Malicious,Other,Total,Mil,Obs,Police,Local,International,Otherstaff,Cowcontr\n"
    path = tmp_path / "fatalities.csv"
    path.write_text(head + "2001,3,Poland,UNDOF,0,1,0,0,1,1,0,0,0,0,0,290\n"
                           "2001,4,Poland,UNDOF,0,1,0,0,2,2,0,0,0,0,0,290\n"
                           "2001,5,Poland,UNDOF,0,1,0,0,1,0,0,0,0,0,0,290\n"
                           "2001,13,Poland,UNDOF,0,1,0,0,1,1,0,0,0,0,0,290\n")
    result = ingest_file(store, get("un-pko-fatalities"), path)
    _balanced(result)
    assert (result.new, result.quarantined) == (1, 3)
    reasons = _reasons(store, result)
    assert "causes (Illness + Accident + Malicious + Other) do not add up to Total" in reasons["line 3"]
    assert "personnel categories" in reasons["line 4"]
    assert "column Month: above 12" in reasons["line 5"]


def test_geopko_contributor_count_rule(store, tmp_path):
    path = tmp_path / "TCCMap.csv"
    path.write_text('mission,year,location,latitude,longitude,No.TCC,year.overview\n'
                    'UNIFIL,2009,Naqoura,33.1,35.1,2,"Poland (150), Korea (ROK) (size unknown)"\n'
                    'UNIFIL,2009,Tyre,33.2,35.2,3,"Ghana (650), Italy (300)"\n'
                    'UNIFIL,2009,Marjayoun,33.3,35.5,1,Ireland 300\n')
    result = ingest_file(store, get("geopko"), path)
    _balanced(result)
    assert (result.read, result.new, result.quarantined) == (5, 2, 3)
    sites = store.deployment_sites(None).set_index("contributor")
    assert sites.loc["Poland", "troops"] == 150 and pd.isna(sites.loc["Korea (ROK)", "troops"])
    assert sites.loc["Korea (ROK)", "contributor_iso3"] == "KOR"
    reasons = _reasons(store, result)
    assert "names 2 contributors but No.TCC is 3" in reasons["line 3"]
    assert "is not 'Name (number)'" in reasons["line 4"]


@pytest.mark.parametrize("name", ["un-pko-hub", "missions-user", "missions-user-contributions", "ipi-missions",
                                  "un-pko-strength", "bara-hultman", "ipi-contributions-mission"])
def test_wrong_file_is_a_source_error(name, fixtures_dir, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(SourceError, match=r"other\.csv, line 1: missing required column"):
        list(get(name).read(path))
