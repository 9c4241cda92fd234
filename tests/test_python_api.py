"""The notebook API: signalfire.open(path) gives pandas and Arrow frames."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

import signalfire
from signalfire.store.queries import QueryError


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    """A store with the shipped GED demo files only (the panel then comes from events alone)."""
    from signalfire.demo import demo_files
    with signalfire.open(tmp_path_factory.mktemp("api") / "api.duckdb") as w:
        for adapter, path in demo_files():
            if adapter == "ucdp-ged":
                w.ingest(adapter, path)
        yield w


def test_events_for_a_country_since_a_date(wh):
    frame = wh.events(country="UKR", since="2022-02-24")
    assert len(frame) > 100
    assert set(frame.country_iso3) == {"UKR"}
    assert frame.date_start.min() >= dt.datetime(2022, 2, 24)
    assert {"fatalities_best", "source", "source_id", "latitude"} <= set(frame.columns)
    table = wh.events(country="UKR", since="2022-02-24", arrow=True)
    assert isinstance(table, pa.Table) and table.num_rows == len(frame)


def test_filters_combine(wh):
    all_ukr = wh.events(country="UKR")
    sb = wh.events(country="UKR", category="armed_conflict")
    both = wh.events(country="UKR,SYR", until="2016-12-31")
    assert 0 < len(sb) <= len(all_ukr)
    assert set(both.country_iso3) <= {"UKR", "SYR"} and both.date_start.max() <= dt.datetime(2016, 12, 31)


def test_panel_sums_state_based_deaths(wh):
    panel = wh.panel()
    ukr = panel[(panel.country_iso3 == "UKR") & (panel.year == 2014)]
    expected = wh.df("SELECT sum(fatalities_best) AS f FROM events WHERE country_iso3 = 'UKR' "
                     "AND subtype = 'state_based' AND year(date_start) = 2014").f[0]
    assert ukr.value.sum() == expected > 0
    assert isinstance(wh.panel(arrow=True), pa.Table)


def test_bad_filter_is_a_clear_error(wh):
    with pytest.raises(QueryError, match="not a date"):
        wh.events(since="last week")


def test_runs_and_quarantine_frames(wh):
    runs = wh.runs()
    assert list(runs.status.unique()) == ["loaded"]
    assert (runs.rows_read == runs.rows_new + runs.rows_updated + runs.rows_unchanged + runs.rows_quarantined).all()
    assert len(wh.quarantine()) == runs.rows_quarantined.sum()


def test_quarantine_is_in_file_order(tmp_path):
    """``Warehouse.quarantine()`` listed "line 10" before "line 3" (ordered as text); now as the CLI lists them."""
    src = __import__("conftest").shared_path("ucdp/ged_v23_1_sample1000.csv").read_text().splitlines()
    lines = [src[0]] + ["not-a-number" + line[line.index(","):] if i in (2, 9) else line
                        for i, line in enumerate(src[1:12], start=1)]      # a bad id on lines 3 and 10
    bad = tmp_path / "ged.csv"
    bad.write_text("\n".join(lines) + "\n")
    import signalfire
    with signalfire.open(tmp_path / "q.duckdb") as wh:
        wh.ingest("ucdp-ged", bad)
        refs = list(wh.quarantine().record_ref)
    assert refs == ["line 3", "line 10"]
