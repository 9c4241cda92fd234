"""The scale pipeline gives the same panel and ring aggregates on DuckDB and on Spark (local mode), row for row, and
the embedded panel equals the store's own country-month panel.  Input: the demo GED events plus the real GDELT 1.0
sample when ../shared/data has it.  The Spark half skips with a reason when pyspark or Java is absent.

The ingest plans (GED, GDELT) give the same events and quarantine on Spark as the store's DuckDB ingest, row for row
(record refs, reasons, row hashes), on hostile files: bad dates and numbers, padded fields, Windows-1252 bytes,
gzip and zip, a quoted line break, too many and too few fields, duplicate ids, records only the row code reads.
Every Spark test shares the module's one Spark session (its start is the expensive part)."""

from __future__ import annotations

import gzip
import importlib.util
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from signalfire.demo import demo_files
from signalfire.scale import engine as engines
from signalfire.scale.exchange import export_events
from signalfire.scale.ingest import ingest_duckdb, ingest_spark, read_output
from signalfire.scale.pipeline import AGGREGATES, build, read_aggregate, run
from signalfire.sources.gdelt import LAYOUTS

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SIGNALFIRE_SHARED_DATA", ROOT.parent / "shared" / "data"))
GDELT_SAMPLE = SHARED / "gdelt" / "gdelt1_events_20160728_sample.tsv"
DEMO_GED = ROOT / "src" / "signalfire" / "demo" / "ged_v23_1_sample1000.csv.gz"
pytestmark = pytest.mark.slow        # one Spark session for the module: about 70 s
FIXTURES = ROOT / "tests" / "fixtures"


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
def spark():
    """The module's one Spark session (local[2]), set for a small run on 2 cores: shuffles into 2 partitions (the
    default 8 only adds tasks on this data) and the driver JVM with its quick JIT tier only and the serial collector
    (measured on this machine: the session starts in 10-19 s instead of 26-42 s, a small ingest runs ~2x faster;
    results do not depend on either)."""
    reason = _spark_missing()
    if reason:
        pytest.skip(reason)
    # code generation off, whole-stage and per expression (Spark interprets the same expressions): on these few rows
    # compiling each query's generated Java costs more than it saves (the module 85 s -> 72 s idle without
    # whole-stage, 83 -> 70 s without the expressions' too); the rows are the same (Spark's contract for its two
    # evaluation paths).  The suite thus runs Spark's interpreted path only; `bench/scale.py` runs the default one.
    settings = {"SIGNALFIRE_SPARK_SHUFFLE_PARTITIONS": "2",
                "SIGNALFIRE_SPARK_CONF": "spark.driver.extraJavaOptions=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC;"
                                         "spark.sql.codegen.wholeStage=false;spark.sql.codegen.factoryMode=NO_CODEGEN;"
                                         + os.environ.get("SIGNALFIRE_SPARK_CONF", "")}
    previous = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings)
    try:
        session = engines.spark_session("local[2]")
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    yield session
    session.stop()


@pytest.fixture(scope="module")
def spark_run(exchanged, spark):
    con = engines.connect("spark", session=spark)
    counts = run(con, exchanged["root"] / "events", exchanged["root"] / "spark")
    return {"con": con, "counts": counts}


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


# ---- the ingest plans on Spark ---------------------------------------------------------------------------------

def _ged_hostile(folder: Path) -> Path:
    """60 real GED records with odd values (each the row code's or the SQL's case), two malformed lines, a quoted
    line break and Windows-1252 bytes, gzipped."""
    frame = pd.read_csv(DEMO_GED, dtype=str, keep_default_na=False).head(60)
    odd = {0: ("date_start", "1/3/2013 12:00:00 AM"), 1: ("best", "abc"), 2: ("best", ""), 3: ("latitude", "91"),
           4: ("country_id", "999"), 5: ("type_of_violence", "4"), 6: ("date_end", "2001-01-01"), 7: ("id", "-5"),
           8: ("latitude", "NA"), 9: ("where_description", "  padded\u00a0"), 10: ("side_a", "x" * 50_001),
           11: ("low", "1e2"), 12: ("date_start", "2013-02-30"), 13: ("country_id", "345.0"),
           14: ("id", frame.loc[15, "id"]), 16: ("where_prec", "9.0"), 17: ("dyad_name", "Sudan \u2014 "),
           18: ("date_start", "1989-05-10 13:45:10"), 19: ("best", "2.5"), 20: ("latitude", "0.00012"),
           21: ("longitude", "-0.0000005"), 22: ("where_description", "Tizi Ouzou, près de la côte"),
           23: ("source_article", 'he said "no", then\nleft'), 24: ("latitude", "12.30000000")}
    for row, (column, value) in odd.items():
        frame.loc[row, column] = value
    lines = frame.to_csv(index=False).splitlines(keepends=True)
    lines[30] = lines[30].rstrip("\n") + ",extra\n"              # too many fields
    lines[35] = lines[35].split(",", 3)[0] + "\n"                  # too few
    path = folder / "ged_hostile.csv.gz"
    with gzip.open(path, "wb") as fh:
        fh.write("".join(lines).encode("cp1252", errors="replace"))
    return path


def _gdelt_hostile(folder: Path) -> Path:
    """30 GDELT 2.0 records from the fixture with the failures the GDELT adapter words, a padded name, a tiny
    latitude (Java writes 5.0E-4), malformed lines and a repeated id."""
    lines = (FIXTURES / "gdelt_v2_20220301.export.CSV").read_text(encoding="utf-8").splitlines()
    good = next(f for f in (ln.split("\t") for ln in lines) if f[LAYOUTS[61].index("ActionGeo_CountryCode")])
    idx = {n: i for i, n in enumerate(LAYOUTS[len(good)])}
    out = [[str(5_000_000 + i), *good[1:]] for i in range(30)]
    for row in (1, 8):                                                    # no location
        for block in ("Actor1Geo", "Actor2Geo", "ActionGeo"):
            out[row][idx[f"{block}_CountryCode"]] = ""
    edits = {2: ("EventRootCode", "99"), 3: ("ActionGeo_Lat", "123.5"), 4: ("SQLDATE", "20221399"),
             5: ("ActionGeo_CountryCode", "ZZ"), 6: ("GLOBALEVENTID", out[7][0]), 8: ("SQLDATE", "x"),
             9: ("ActionGeo_CountryCode", ""), 10: ("Actor1Name", "NA"), 11: ("Actor1Name", " padded"),
             13: ("ActionGeo_Lat", "0.0005"), 14: ("Actor2Name", 'say "hi" \\ back'), 15: ("ActionGeo_Long", "1.5e2")}
    for row, (column, value) in edits.items():
        out[row][idx[column]] = value
    text = ["\t".join(f) for f in out]
    text[12] = "\t".join(out[12][:20])                                  # too few fields
    text[16] += "\textra"                                                # too many
    path = folder / "20220301.export.CSV"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def _acled_hostile(folder: Path) -> Path:
    """The invented ACLED export (tests/fixtures) three times over with fresh ids: dates in each style SQL reads, an
    event type the adapter does not know (worded in SQL) and one only the row code words, an iso/name clash,
    Kosovo by name, a dated code (891: Yugoslavia in 1991), a tiny latitude, a repeated id whose newer timestamp
    wins, a quoted line break, Windows-1252 bytes, malformed lines."""
    frame = pd.read_csv(FIXTURES / "acled_export_sample.csv", dtype=str, keep_default_na=False)
    frame = pd.concat([frame] * 3, ignore_index=True)
    frame["event_id_cnty"] = [f"{c[:3]}8{i:04d}" for i, c in enumerate(frame["event_id_cnty"])]
    edits = {0: {"event_date": "14/03/2023 00:00:00"}, 1: {"event_date": "15 March 2023"},
             2: {"event_type": "Picnic"}, 3: {"event_type": "Bob's picnic"}, 4: {"country": "Somalia"},
             5: {"fatalities": "2.0", "timestamp": "1679000000.0"}, 6: {"latitude": "0.00012", "timestamp": ""},
             9: {"iso": "891", "country": "", "event_date": "1991-06-01", "year": "1991"},
             10: {"event_date": "2023-02-30"}, 11: {"notes": 'he said "no", then\nleft'},
             12: {"location": "Córdoba"}, 13: {"event_id_cnty": "KEN80014", "timestamp": "1690000000"}}
    for row, values in edits.items():
        for column, value in values.items():
            frame.loc[row, column] = value
    lines = frame.to_csv(index=False).splitlines(keepends=True)
    lines[20] = lines[20].rstrip("\n") + ",extra\n"              # too many fields
    lines[25] = lines[25].split(",", 3)[0] + "\n"                  # too few
    path = folder / "acled_hostile.csv"
    path.write_bytes("".join(lines).encode("cp1252", errors="replace"))
    return path


INGEST_CASES = {"ged-hostile": ("ucdp-ged", _ged_hostile), "gdelt-hostile": ("gdelt", _gdelt_hostile),
                "acled-hostile": ("acled", _acled_hostile)}


def _output(folder: Path, part: str) -> pd.DataFrame | None:
    frame = read_output(folder, part)
    if frame is None:
        return None
    keys = ["record_ref"] if part == "events" else ["record_ref", "reason"]
    return frame[sorted(frame.columns)].sort_values(keys).reset_index(drop=True)


def _assert_same_output(spark_out: Path, duckdb_out: Path) -> None:
    for part in ("events", "quarantine"):
        mine, theirs = _output(spark_out, part), _output(duckdb_out, part)
        assert (mine is None) == (theirs is None)
        if mine is None:
            continue
        assert mine.dtypes.to_dict() == theirs.dtypes.to_dict()
        pd.testing.assert_frame_equal(mine, theirs)


@pytest.fixture(scope="module")
def ingested(spark, tmp_path_factory):
    """Each hostile file ingested once by each engine (the Spark runs are the costly part).  Spark reads files in
    splits of 2 KB here, so the GDELT file (unquoted: splittable) is numbered across several partitions, as a
    large file is (GED, quoted and gzipped, is one)."""
    return _ingest_cases(spark, tmp_path_factory)


def _ingest_cases(spark, tmp_path_factory) -> dict:
    runs = {}
    previous = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "2048")
    try:
        for case, (adapter, make) in INGEST_CASES.items():
            root = tmp_path_factory.mktemp(f"ingest-{case}")
            path = make(root)
            runs[case] = {"root": root, "duckdb": ingest_duckdb(adapter, path, root / "duckdb"),
                          "spark": ingest_spark(spark, adapter, path, root / "spark"),
                          "partitions": spark.read.text(str(path)).rdd.getNumPartitions()}
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", previous)
    return runs


@pytest.mark.parametrize("case", INGEST_CASES)
def test_spark_ingest_equals_duckdb_row_for_row(ingested, case):
    run_ = ingested[case]
    embedded, on_spark, root = run_["duckdb"], run_["spark"], run_["root"]
    same = ("read", "events", "quarantined", "quarantine_rows", "source_version")
    assert {k: on_spark[k] for k in same} == {k: embedded[k] for k in same}
    assert embedded["read"] == embedded["events"] + embedded["quarantined"] and embedded["events"] > 0
    _assert_same_output(root / "spark", root / "duckdb")
    events, quarantine = _output(root / "spark", "events"), _output(root / "spark", "quarantine")
    assert events.row_hash.str.fullmatch("[0-9a-f]{32}").all()
    assert quarantine.reason.str.contains("too many fields").any()
    assert quarantine.reason.str.contains("too few fields").any()
    assert quarantine.reason.str.contains("duplicate key").any()
    if case == "ged-hostile":   # the row code's rows and reasons, a quoted line break, Windows-1252
        assert "line 2" in set(events.record_ref)                       # an Excel date, read by the row code
        assert quarantine.reason.str.contains("not a date").any()
        assert events.description.str.contains("près de la côte", na=False).any()
        assert events.source_reference.str.contains("then\nleft", na=False).any()
    elif case == "acled-hostile":   # worded in SQL, worded by the row code, the newer of a repeated id
        assert quarantine.reason.str.contains("unknown ACLED event type: 'Picnic'").any()
        assert quarantine.reason.str.contains("is SOM but iso 404 is KEN").any()
        assert quarantine.reason.str.contains("not a date").any()
        assert {"YUG", "XKX"} <= set(events.country_iso3) and 0.00012 in set(events.latitude)
        assert "2023-07-22T04:26:40Z" in set(events.source_version)
        assert events.description.str.contains("then\nleft", na=False).any()
    else:
        assert quarantine.reason.str.contains("no location").any()
        assert 0.0005 in set(events.latitude)
        assert run_["partitions"] > 1                                   # numbered across partitions


def test_spark_ingest_output_feeds_the_aggregates(ingested):
    """Spark's events folder is the exchange layout: the embedded aggregates read it as they read DuckDB's."""
    root = ingested["gdelt-hostile"]["root"]
    con = engines.connect("duckdb")
    for name in ("spark", "duckdb"):
        run(con, root / name / "events", root / name / "agg")
    for name in AGGREGATES:
        pd.testing.assert_frame_equal(read_aggregate(root / "spark" / "agg", name),
                                      read_aggregate(root / "duckdb" / "agg", name))
    assert len(read_aggregate(root / "spark" / "agg", "panel")) > 0


def test_files_the_plans_do_not_cover_are_a_clear_error(spark, tmp_path):
    from signalfire.scale.spark_ingest import NeedsRowPath
    frame = pd.read_csv(DEMO_GED, dtype=str, keep_default_na=False).head(3)
    frame.loc[1, "where_description"] = "near\rthe river"
    path = tmp_path / "ged_cr.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(NeedsRowPath, match="carriage return"):
        ingest_spark(spark, "ucdp-ged", path, tmp_path / "out")
    with pytest.raises(NeedsRowPath, match="no SQL plan"):
        ingest_spark(spark, "acled", path, tmp_path / "out2")


def test_cli_scale_ingest(spark, tmp_path):
    """`signalfire scale ingest` of the zipped GDELT 2.0 fixture prints one JSON line and writes the exchange layout;
    on Spark (the module's session, reused by the command) a file the plans do not cover is one line of error, no
    traceback.  (Spark's ingest itself is compared row for row above; the CLI adds no Spark run of its own.)"""
    import json

    from typer.testing import CliRunner

    from signalfire.cli import app
    runner = CliRunner()
    path = FIXTURES / "gdelt_v2_20220301.export.CSV.zip"
    result = runner.invoke(app, ["scale", "ingest", "gdelt", str(path), str(tmp_path / "duckdb")])
    assert result.exit_code == 0, result.output
    line = json.loads(result.output.strip().splitlines()[-1])
    assert line["engine"] == "duckdb" and line["read"] == line["events"] + line["quarantined"] > 0
    assert len(_output(tmp_path / "duckdb", "events")) == line["events"]
    frame = pd.read_csv(DEMO_GED, dtype=str, keep_default_na=False).head(3)
    frame.loc[1, "where_description"] = "near\rthe river"
    cr = tmp_path / "ged_cr.csv"
    frame.to_csv(cr, index=False)
    result = runner.invoke(app, ["scale", "ingest", "ucdp-ged", str(cr), str(tmp_path / "cr"), "--engine", "spark"])
    assert result.exit_code == 2 and "carriage return" in result.output and "--engine duckdb" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["scale", "ingest", "gdelt", str(path), str(tmp_path / "x"), "--engine", "flink"])
    assert result.exit_code == 2 and "unknown 'flink'" in result.output
