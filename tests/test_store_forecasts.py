"""The shared queries on the forecast tables (store.forecasts): month labels in SQL agree with Python's, the newest
and previous run of a model, and the change join, inner and keeping every row of the run."""

from __future__ import annotations

import pytest

from signalfire.analysis.panel import month_label
from signalfire.store.forecasts import change_query, latest_run_query, month_label_sql, previous_run_query


def test_month_label_sql_is_month_label(store):
    ids = [1, 2, 11, 12, 13, 24, 25, 527, 528, 529, 2399, 2400]
    got = store.con.execute(f"SELECT m, {month_label_sql('m')} FROM unnest(?) t(m) ORDER BY m", [ids]).fetchall()
    assert got == [(m, month_label(m)) for m in ids]
    assert month_label(1) == "1980-01" and month_label(528) == "2023-12"


@pytest.fixture
def con(store):
    """Runs 1 and 3 of model m (3 drops NOR, adds a month), 2 of model v; two countries, two months each."""
    con = store.con
    con.execute("INSERT INTO forecast_runs (run_id, model, cutoff_month_id) VALUES (1, 'm', 10), (2, 'v', 10), "
                "(3, 'm', 11)")
    rows = [(1, 1, "UKR", 11, 5.0, 0.1), (1, 1, "UKR", 12, 6.0, 0.2), (1, 2, "NOR", 11, 1.0, 0.0),
            (2, 1, "UKR", 11, 50.0, 1.0),
            (3, 1, "UKR", 12, 9.0, 0.5), (3, 1, "UKR", 13, 8.0, 0.4)]
    con.executemany("INSERT INTO forecasts (run_id, country_id, country_iso3, month_id, mean, p_ge25) "
                    "VALUES (?, ?, ?, ?, ?, ?)", rows)
    return con


def one(con, query):
    return con.execute(*query).fetchone()[0]


def test_latest_and_previous_run(con):
    assert one(con, latest_run_query()) == 3
    assert one(con, latest_run_query(model="v")) == 2
    assert one(con, latest_run_query(cutoff_month_id=10)) == 2
    assert one(con, latest_run_query(cutoff_month_id=10, model="m")) == 1
    assert one(con, latest_run_query(model="none")) is None
    assert one(con, previous_run_query(3)) == 1          # same model, skipping run 2 of model v
    assert one(con, previous_run_query(1)) is None and one(con, previous_run_query(2)) is None


def change_rows(con, *args, **kw):
    cur = con.execute(*change_query(*args, **kw))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def test_change_joins_the_common_country_months(con):
    rows = change_rows(con, 3, 1)
    assert [(r["country_iso3"], r["month"], r["mean_change"], r["p_ge25_change"]) for r in rows] == \
        [("UKR", "1980-12", 3.0, pytest.approx(0.3))]
    assert rows[0]["mean"] == 9.0 and rows[0]["p_ge25"] == 0.5 and rows[0]["month_id"] == 12
    assert change_rows(con, 3, 1, 13) == []


def test_change_every_row_keeps_the_run(con):
    rows = change_rows(con, 3, 1, every_row=True, order="a.mean")
    assert [(r["month_id"], r["mean_change"]) for r in rows] == [(13, None), (12, 3.0)]
    alone = change_rows(con, 1, None, 11, every_row=True)
    assert [(r["country_iso3"], r["mean_change"]) for r in alone] == [("NOR", None), ("UKR", None)]
