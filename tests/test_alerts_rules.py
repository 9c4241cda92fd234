"""Alert rules on real data: a neighbourhood rule fires on the UCDP Ukraine events of February 2022, with its
evidence; evaluating again, re-ingesting or restarting never fires twice; forecast and new-records rules."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from signalfire.alerts import AlertError, rules
from signalfire.alerts.evaluate import evaluate_pending, evaluate_run
from signalfire.sources import get
from signalfire.store.ingest import ingest_file

GED = Path(__file__).resolve().parents[1] / "src" / "signalfire" / "demo" / "ged_ukraine_2014-2023.csv.gz"
RING = ["BLR", "CZE", "DEU", "LTU", "RUS", "SVK", "UKR"]


def _firings(store):
    return store.df("SELECT * FROM alert_firings ORDER BY period")


def test_ring_rule_fires_on_february_2022_with_its_evidence(store):
    rules.add(store.con, "Poland's neighbours", "events",
              {"subject": "ring:POL", "threshold": 1000, "baseline_months": 6, "ratio": 3})
    ingest_file(store, get("ucdp-ged"), GED)
    new = evaluate_pending(store.con)
    fired = _firings(store)
    assert len(new) == len(fired) > 0
    feb = fired[fired.period == "2022-02"].iloc[0]
    # an independent reading of the file: best deaths in the ring in February 2022, and the 6 months before
    raw = pd.read_csv(GED, low_memory=False, encoding="cp1252")
    # the file mixes 1/22/2014 12:00:00 AM and 05/02/2014 00:00
    raw["date_start"] = pd.to_datetime(raw.date_start.str.strip(), format="mixed")
    iso = raw.country.map({"Ukraine": "UKR", "Russia (Soviet Union)": "RUS", "Belarus": "BLR"})
    ring = raw[iso.isin(RING)]
    month = ring.date_start.dt.strftime("%Y-%m")
    assert feb.value == ring[month == "2022-02"].best.sum() > 1000
    before = [f"2021-{m:02d}" for m in range(8, 13)] + ["2022-01"]
    assert feb.baseline == pytest.approx(sum(ring[month == m].best.sum() for m in before) / 6)
    assert feb.level == "red" and feb.trigger.startswith("ingest run ")
    evidence = json.loads(feb.evidence)
    assert evidence["by_country"]["UKR"] == feb.value
    top = evidence["events"]
    assert len(top) == min(10, (month == "2022-02").sum())
    assert top[0]["deaths"] == ring[month == "2022-02"].best.max()
    assert all(e["date"].startswith("2022-02") for e in top)
    # every firing crossed the threshold and tripled its baseline
    assert (fired.value >= 1000).all() and (fired.value >= 3 * fired.baseline).all()


def test_evaluating_again_reingesting_or_restarting_never_fires_twice(tmp_path):
    from signalfire.warehouse import Warehouse
    with Warehouse(tmp_path / "a.duckdb") as wh:
        rules.add(wh.con, "ring", "events", {"subject": "ring:POL", "threshold": 1000})
        ingest_file(wh, get("ucdp-ged"), GED)
        first = evaluate_pending(wh.con)
        assert first
        assert evaluate_pending(wh.con) == []                       # every run already evaluated
        assert evaluate_run(wh.con, "manual", None) == []          # the same crossings: the same ids
        ingest_file(wh, get("ucdp-ged"), GED)                       # the same file again: nothing new
        assert evaluate_pending(wh.con) == []
    with Warehouse(tmp_path / "a.duckdb") as again:                 # a restart
        assert evaluate_pending(again.con) == []
        assert again.con.execute("SELECT count(*) FROM alert_firings").fetchone()[0] == len(first)


def test_rules_look_forward_and_disabled_rules_do_not_fire(store):
    ingest_file(store, get("ucdp-ged"), GED)
    assert evaluate_pending(store.con) == []                       # no rule yet: the run is marked evaluated
    rule = rules.add(store.con, "ring", "events", {"subject": "ring:POL", "threshold": 1000})
    assert evaluate_pending(store.con) == []                       # a new rule does not look back …
    rules.set_enabled(store.con, rule, False)
    assert evaluate_run(store.con, "manual", None) == []          # … disabled, it never fires …
    rules.set_enabled(store.con, rule, True)
    assert len(evaluate_run(store.con, "manual", None)) > 0       # … and on demand it looks at all the data


def test_forecast_rule_fires_on_a_crossing_and_a_rise(store):
    con = store.con
    for run_id in (1, 2):
        con.execute("INSERT INTO forecast_runs (run_id, model, model_version, cutoff, cutoff_month_id, horizons, "
                    "draws, countries, created_at) VALUES (?, 'qgbm', 'x', '2023-10', 526, 3, 10, 3, now())",
                    [run_id])
    p = {1: {"UKR": 0.9, "BLR": 0.05, "LTU": 0.0}, 2: {"UKR": 0.95, "BLR": 0.6, "LTU": 0.3}}
    for run_id, values in p.items():
        for i, (iso3, value) in enumerate(values.items()):
            con.execute("INSERT INTO forecasts (run_id, country_id, country_iso3, month_id, step, p_ge25) "
                        "VALUES (?, ?, ?, 527, 1, ?)", [run_id, i, iso3, value])
    rules.add(con, "risk", "forecast", {"subject": "ring:POL", "level": 0.5})
    rules.add(con, "rising", "forecast", {"subject": "LTU", "rise": 0.25})
    assert len(evaluate_run(con, "forecast", 1)) == 1
    assert list(_firings(store).subject) == ["UKR"]      # the first run: UKR is above the level, nothing before it
    new = evaluate_run(con, "forecast", 2)
    fired = store.df("SELECT subject, value, baseline FROM alert_firings WHERE period = 'forecast run 2' "
                     "ORDER BY subject")
    assert list(fired.subject) == ["BLR", "LTU"] and len(new) == 2   # BLR crossed 0.5; LTU rose by 0.3; UKR stayed
    assert fired.baseline.tolist() == [0.05, 0.0]


def test_new_records_rule(store):
    rules.add(store.con, "new GED in Ukraine", "new-records", {"source": "ucdp-ged", "subject": "UKR"})
    rules.add(store.con, "new ACLED", "new-records", {"source": "acled"})
    ingest_file(store, get("ucdp-ged"), GED)
    evaluate_pending(store.con)
    fired = _firings(store)
    assert len(fired) == 1 and fired.iloc[0].rule_id == 1
    raw = pd.read_csv(GED, low_memory=False, usecols=["country"], encoding="cp1252")
    assert fired.iloc[0].value == (raw.country == "Ukraine").sum()


@pytest.mark.parametrize("kind, params, message", [
    ("events", {"subject": "ring:XYZ", "threshold": 5}, "unknown country"),
    ("events", {"subject": "POL"}, "needs threshold"),
    ("events", {"threshold": -1}, "threshold"),
    ("events", {"threshold": 5, "ratio": 2}, "baseline_months and ratio"),
    ("forecast", {"subject": "POL"}, "needs level"),
    ("forecast", {"level": 1.5}, "level"),
    ("new-records", {}, "needs source"),
    ("new-records", {"source": "zzz"}, "unknown source 'zzz'"),
    ("weather", {}, "unknown kind"),
])
def test_bad_rules_are_clear_errors(store, kind, params, message):
    with pytest.raises(AlertError, match=message):
        rules.add(store.con, "x", kind, params)
    assert store.con.execute("SELECT count(*) FROM alert_rules").fetchone()[0] == 0


@pytest.mark.parametrize("to, ok", [("analyst@example.org", True), ("a@b.pl, c.d@e.org", True),
                                     ("not-an-email", False), ("a@b", False), ("a@b.org,", False),
                                     ("Eve <eve@x.org>", False)])
def test_an_email_address_is_checked_when_the_rule_is_added(store, to, ok):
    """`--email not-an-email` had been stored and then retried for hours in the outbox."""
    if ok:
        assert rules.add(store.con, "x", "events", {"threshold": 5}, email_to=to) > 0
    else:
        with pytest.raises(AlertError, match="is not an address such as analyst@example.org"):
            rules.add(store.con, "x", "events", {"threshold": 5}, email_to=to)


def test_python_api_lists_rules_and_firings(store):
    rules.add(store.con, "ring", "events", {"subject": "ring:POL", "threshold": 1000}, webhook_secret="hidden")
    ingest_file(store, get("ucdp-ged"), GED)
    new = evaluate_pending(store.con)
    listed = store.alert_rules()
    assert list(listed.firings) == [len(new)] and "webhook_secret" not in listed.columns
    assert listed.params[0]["subject"] == "ring:POL"
    firings = store.alert_firings(rule_id=1)
    assert len(firings) == len(new) and isinstance(firings.evidence[0], dict)


def test_cyber_rule_fires_once_per_new_operation_against_a_watched_state(store, tmp_path):
    from test_cyber_incidents import _cfr_fixture
    rules.add(store.con, "cyber near Poland", "cyber", {"subject": "POL,LTU"})
    ingest_file(store, get("cfr-cyber"), _cfr_fixture(tmp_path))
    new = evaluate_pending(store.con)
    watched = store.con.execute("""SELECT count(*) FROM cyber_incidents
                                   WHERE list_has_any(victim_iso3, ['POL', 'LTU'])""").fetchone()[0]
    assert watched >= 2 and len(new) == watched
    fired = _firings(store)
    assert any("Polish members of parliament" in t for t in fired.title)
    assert set(",".join(fired.subject).split(",")) <= {"POL", "LTU"}
    assert evaluate_run(store.con, "ingest", 1) == []          # the same incidents: no new firing


def test_route_rule_fires_when_a_route_rises(store, fixtures_dir):
    rules.add(store.con, "Eastern land border", "route",
              {"route": "Eastern Borders Route", "threshold": 100, "baseline_months": 6, "ratio": 2})
    rules.add(store.con, "quiet", "route", {"route": "Eastern Borders Route", "threshold": 10**6})
    ingest_file(store, get("frontex"), fixtures_dir / "frontex_sample.csv")
    evaluate_pending(store.con)
    fired = _firings(store)
    raw = pd.read_csv(fixtures_dir / "frontex_sample.csv")
    east = raw[raw.route == "Eastern Borders Route"].groupby("t").n.sum()        # an independent reading
    months = pd.period_range("2020-01", "2022-12", freq="M").strftime("%Y-%m")
    full = east.reindex(months, fill_value=0.0)
    expected = [m for i, m in enumerate(months) if m in east.index and full[m] >= 100
                and full[m] >= 2 * full.iloc[max(i - 6, 0):i].mean()]
    assert expected and list(fired.period) == expected                # e.g. the summer 2021 surge
    assert fired.set_index("period").value.to_dict() == {m: east[m] for m in expected}
    with pytest.raises(AlertError, match="needs route"):
        rules.add(store.con, "x", "route", {"threshold": 1})



def test_the_command_line_ingest_evaluates_the_rules(tmp_path):
    """`signalfire ingest` evaluates the rules on the run it wrote, as `alerts add` promises ("evaluated after
    every ingest and forecast run"); before, the call sat after the error exit and never ran, so a rule fired
    only at the next `alerts evaluate`, `watch` or server start."""
    from cli_support import run_cli

    from signalfire.warehouse import Warehouse
    store = tmp_path / "cli.duckdb"
    run_cli("alerts", "add", "ring", "--subject", "ring:POL", "--threshold", "1000", "--store", store)
    done = run_cli("ingest", "ucdp-ged", GED, "--store", store)
    assert "alerts: 4 new firing(s)" in done.stderr
    with Warehouse(store) as wh:
        fired = wh.df("SELECT period, level FROM alert_firings ORDER BY period")
        assert evaluate_pending(wh.con) == []                       # the run is marked evaluated: nothing left
    assert dict(zip(fired.period, fired.level))["2022-02"] == "red"
    assert len(fired) == 4


def test_evaluate_all_says_one_count(tmp_path):
    """`alerts evaluate --all` printed "alerts: 0 new firing(s); …" and then "4 new firing(s)": two counts of one
    evaluation. Now one line says how many fired and what was sent."""
    from cli_support import run_cli
    store = tmp_path / "a.duckdb"
    run_cli("ingest", "ucdp-ged", GED, "--store", store)
    run_cli("alerts", "add", "ring", "--subject", "ring:POL", "--threshold", "1000", "--store", store)
    done = run_cli("alerts", "evaluate", "--all", "--store", store)
    assert done.stdout.strip() == "4 new firing(s); deliveries sent 0, to retry 0, given up 0"
    assert "new firing" not in done.stderr



@pytest.mark.parametrize("channels", [{"webhook_url": "http://[::1"}, {"webhook_url": "http://"},
                                      {"webhook_url": "http://127.0.0.1:8931/ok x"},
                                      {"email_to": "a@b.org", "smtp_url": "smtp://127.0.0.1:99999"}])
def test_a_url_that_cannot_be_sent_to_is_refused_when_the_rule_is_added(store, channels):
    """These had been stored, and then every evaluate or deliver ended in 'unexpected ValueError'."""
    with pytest.raises(AlertError, match="is not"):
        rules.add(store.con, "x", "events", {"threshold": 5}, **channels)


@pytest.mark.parametrize("kind, params", [("events", {"subject": 5, "threshold": 1}),
                                          ("new-records", {"source": ["acled"]}),
                                          ("route", {"route": 5, "threshold": 1}),
                                          ("events", {"threshold": 1, "category": "nonexistent"})])
def test_wrongly_typed_or_unknown_params_are_clear_errors(store, kind, params):
    """A number or a list where text belongs had been a 500 over the API; an unknown category a rule never firing."""
    with pytest.raises(AlertError, match="is not text|is not one of"):
        rules.add(store.con, "x", kind, params)


def test_a_removed_rules_id_is_never_given_again(store):
    """The new rule had taken the removed one's id, inherited its firings and been silenced for those months."""
    first = rules.add(store.con, "ukr", "events", {"subject": "UKR", "threshold": 100})
    ingest_file(store, get("ucdp-ged"), GED)
    assert evaluate_pending(store.con)
    rules.remove(store.con, first)
    second = rules.add(store.con, "ukr events", "events", {"subject": "UKR", "threshold": 1, "measure": "events"})
    assert second != first
    assert len(evaluate_run(store.con, "manual", None)) == store.con.execute(
        "SELECT count(DISTINCT strftime(date_start, '%Y-%m')) FROM events WHERE country_iso3 = 'UKR'").fetchone()[0]


def test_a_new_rule_does_not_fire_on_data_loaded_before_it(store):
    """Runs loaded without an evaluation (as the demo data are) were evaluated for a rule added later, at the next
    unrelated ingest: months years old fired."""
    from signalfire.alerts.evaluate import add_rule
    ingest_file(store, get("ucdp-ged"), GED)        # nothing evaluates this run
    add_rule(store.con, "ukr", "events", {"subject": "UKR", "threshold": 500})   # as the CLI, API and form add one
    assert evaluate_pending(store.con) == []


def test_the_feed_is_xml_whatever_the_text():
    import xml.etree.ElementTree as ET

    from signalfire.alerts.feed import atom
    feed = atom([{"firing_id": "f1", "fired_at": "2026-01-01T00:00:00Z", "title": "a\x01b\x0b\x1b[31m", "level": "red",
                  "subject": "UKR", "period": "2022-02", "rule": "bad\x01name"}], "http://h", "2026-01-01T00:00:00Z")
    root = ET.fromstring(feed)                        # a raw \x01 had made it no longer XML
    assert "a\\x01b\\x0b\\x1b[31m" in ET.tostring(root, encoding="unicode")
