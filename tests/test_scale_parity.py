"""The scale pipeline gives the same panel and ring aggregates on DuckDB and on Spark (local mode), row for row, and
the embedded panel equals the store's own country-month panel.  Input: the demo GED events plus the real GDELT 1.0
sample when ../shared/data has it.  The Spark half skips with a reason when pyspark or Java is absent."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from signalfire.demo import demo_files
from signalfire.scale import engine as engines
from signalfire.scale.exchange import export_events
from signalfire.scale.pipeline import AGGREGATES, build, read_aggregate, run

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SIGNALFIRE_SHARED_DATA", ROOT.parent / "shared" / "data"))
GDELT_SAMPLE = SHARED / "gdelt" / "gdelt1_events_20160728_sample.tsv"


@pytest.fixture(scope="module")
def exchanged(tmp_path_factory):
    """A store of the demo's GED events (+ the GDELT sample), its events exported, and the DuckDB run's output."""
    from signalfire.sources import get
    from signalfire.store.ingest import ingest_file
    from signalfire.warehouse import Warehouse
    root = tmp_path_factory.mktemp("scale")
    wh = Warehouse(root / "store.duckdb")
    for adapter, path in demo_files():
        if adapter == "ucdp-ged":     # the demo's events (ACD and VIEWS files are not events)
            ingest_file(wh, get(adapter), path)
    if GDELT_SAMPLE.exists():
        ingest_file(wh, get("gdelt"), GDELT_SAMPLE)
    count = export_events(wh, root / "events")
    store_panel = wh.panel()
    sources = wh.con.execute("SELECT DISTINCT source FROM events ORDER BY 1").fetchall()
    wh.close()
    counts = run(engines.connect("duckdb"), root / "events", root / "duckdb")
    return {"root": root, "count": count, "store_panel": store_panel, "counts": counts,
            "sources": [s for (s,) in sources]}


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_export_is_partitioned_by_source_and_month(exchanged):
    root = exchanged["root"] / "events"
    assert sorted(p.name for p in root.iterdir()) == [f"source={s}" for s in exchanged["sources"]]
    assert all(p.name.startswith("month=") for p in (root / "source=ucdp-ged").iterdir())
    read = duckdb.sql(f"SELECT count(*) FROM read_parquet('{root}/**/*.parquet', hive_partitioning=true)").fetchone()
    assert read[0] == exchanged["count"] > 0
    if GDELT_SAMPLE.exists():
        assert "gdelt" in exchanged["sources"]


def test_embedded_panel_equals_the_stores_panel(exchanged):
    panel = read_aggregate(exchanged["root"] / "duckdb", "panel")
    ged = panel[(panel.source == "ucdp-ged") & (panel.subtype == "state_based")]
    mine = ged[["country_iso3", "country_gw", "year", "month", "month_id", "deaths"]].rename(
        columns={"deaths": "value"}).astype({"country_gw": "int64", "year": "int64", "month": "int64",
                                             "month_id": "int64", "value": "float64"})
    store = exchanged["store_panel"]
    assert set(store.origin) == {"ucdp-ged"}   # no VIEWS file in this store: every figure comes from events
    theirs = store[list(mine.columns)].astype(mine.dtypes.to_dict())
    assert len(mine) == len(theirs) > 100
    pd.testing.assert_frame_equal(_sorted(mine), _sorted(theirs))


def test_embedded_rings_sum_the_neighbours(exchanged):
    """One ring row recomputed by hand from the panel and the border table."""
    from signalfire.geo.borders import land_borders
    panel = read_aggregate(exchanged["root"] / "duckdb", "panel")
    rings = read_aggregate(exchanged["root"] / "duckdb", "rings")
    row = rings[rings.home_iso3 == "POL"].sort_values("neighbour_deaths").iloc[-1]
    around = panel[(panel.source == row.source) & (panel.month_id == row.month_id)
                   & panel.country_iso3.isin(land_borders()["POL"])]
    assert row.neighbour_deaths == around.deaths.sum() > 0
    assert row.neighbour_events == around.events.sum()
    assert row.neighbours_with_events == around.country_iso3.nunique()


def _spark_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("ibis") is None:
        return "pyspark / ibis-framework not installed (pip install 'signalfire[spark]')"
    if not engines.java_available():
        return "no Java runtime for Spark (install a JDK 17+ or set JAVA_HOME)"
    return None


@pytest.fixture(scope="module")
def spark_run(exchanged):
    reason = _spark_missing()
    if reason:
        pytest.skip(reason)
    session = engines.spark_session("local[2]")
    con = engines.connect("spark", session=session)
    counts = run(con, exchanged["root"] / "events", exchanged["root"] / "spark")
    yield {"con": con, "counts": counts}
    session.stop()


@pytest.mark.parametrize("name", AGGREGATES)
def test_spark_and_duckdb_agree_row_for_row(exchanged, spark_run, name):
    embedded = read_aggregate(exchanged["root"] / "duckdb", name)
    spark = read_aggregate(exchanged["root"] / "spark", name)
    assert spark.dtypes.to_dict() == embedded.dtypes.to_dict()
    assert spark_run["counts"][name] == exchanged["counts"][name] == len(embedded) > 0
    pd.testing.assert_frame_equal(_sorted(spark), _sorted(embedded))


def test_each_engine_reads_the_others_output(exchanged, spark_run):
    con = spark_run["con"]
    spark_read = con.read_parquet(str((exchanged["root"] / "duckdb" / "panel").resolve())).count().execute()
    duck_read = duckdb.sql(f"SELECT count(*) FROM '{exchanged['root'] / 'spark' / 'panel'}/*.parquet'").fetchone()[0]
    assert spark_read == duck_read == exchanged["counts"]["panel"]
    # and Spark's expressions over the events are the same definition DuckDB ran (same output schema)
    assert build(con, exchanged["root"] / "events")["panel"].schema() == \
        build(engines.connect("duckdb"), exchanged["root"] / "events")["panel"].schema()
