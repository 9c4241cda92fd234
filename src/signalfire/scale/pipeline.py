"""The heavy aggregates as ibis expressions: one definition, run by whichever backend holds the events.

* :func:`country_month_panel`: events and deaths per source × subtype × country × month.  Deaths are the sum of
  ``fatalities_best`` with a missing value counted as 0, as :func:`signalfire.analysis.panel.country_month_panel`
  does; its GED-derived figures are the rows ``source = 'ucdp-ged'``, ``subtype = 'state_based'`` here.
* :func:`ring_aggregates`: per source × home country × month, the events and deaths in the home country's land
  neighbours (:func:`signalfire.geo.borders.land_borders`) and how many neighbours had events.  A home-month
  appears when at least one neighbour had an event that month.

Month ids follow VIEWS (1 = January 1980).  Every output column has a fixed type, so both engines give the same
schema.
"""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

from signalfire.scale.exchange import ExchangeError, parquet_glob, prepare_folder

AGGREGATES = ("panel", "rings")
EVENT_INPUT = ("source", "subtype", "date_start", "country_iso3", "country_gw", "fatalities_best")


def read_events(con, folder: str | Path):
    """The partitioned events folder as an ibis table on ``con`` (only the columns the aggregates use)."""
    missing_hint = "write one with `signalfire scale export-events`"
    if con.name == "duckdb":
        table = con.read_parquet(parquet_glob(folder), hive_partitioning=True, union_by_name=True)
    else:
        parquet_glob(folder)   # the same clear error for a missing or empty folder
        table = con.read_parquet(str(Path(folder).resolve()))
    absent = [c for c in EVENT_INPUT if c not in table.columns]
    if absent:
        raise ExchangeError(f"{folder}: the events lack the column(s) {', '.join(absent)} ({missing_hint})")
    return table.select(*EVENT_INPUT)


def country_month_panel(events):
    import ibis
    dated = events.filter(events.country_iso3.notnull() & events.date_start.notnull())
    dated = dated.mutate(year=dated.date_start.year().cast("int32"), month=dated.date_start.month().cast("int32"))
    panel = dated.group_by(["source", "subtype", "country_iso3", "year", "month"]).aggregate(
        country_gw=dated.country_gw.max().cast("int32"),
        events=dated.count().cast("int64"),
        deaths=dated.fatalities_best.fill_null(0).sum().cast("int64"))
    panel = panel.mutate(month_id=((panel.year - 1980) * 12 + panel.month).cast("int32"))
    return panel.select("source", "subtype", "country_iso3", "country_gw", "year", "month", "month_id",
                        "events", "deaths").order_by(
        [ibis.asc("source"), ibis.asc("subtype"), ibis.asc("country_iso3"), ibis.asc("month_id")])


@lru_cache(maxsize=1)
def _border_pairs():
    from signalfire.geo.borders import land_borders
    return tuple(sorted((home, other) for home, others in land_borders().items() for other in others))


def borders_table():
    """The land borders as an in-memory ibis table (home_iso3, neighbour_iso3), one row per ordered pair."""
    import ibis
    import pandas as pd
    return ibis.memtable(pd.DataFrame(list(_border_pairs()), columns=["home_iso3", "neighbour_iso3"]))


def ring_aggregates(panel, borders):
    import ibis
    per_country = panel.group_by(["source", "country_iso3", "year", "month", "month_id"]).aggregate(
        events=panel.events.sum(), deaths=panel.deaths.sum())
    joined = per_country.join(borders, per_country.country_iso3 == borders.neighbour_iso3)
    rings = joined.group_by(["source", "home_iso3", "year", "month", "month_id"]).aggregate(
        neighbours_with_events=joined.count().cast("int64"),
        neighbour_events=joined.events.sum().cast("int64"),
        neighbour_deaths=joined.deaths.sum().cast("int64"))
    return rings.order_by([ibis.asc("source"), ibis.asc("home_iso3"), ibis.asc("month_id")])


def build(con, events_folder: str | Path) -> dict:
    """The aggregate expressions (name → ibis table) over the events under ``events_folder``."""
    panel = country_month_panel(read_events(con, events_folder))
    borders = borders_table()
    return {"panel": panel, "rings": ring_aggregates(panel, borders)}


def _write(con, expr, folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    if con.name == "duckdb":
        # streamed in batches cast to the declared schema (DuckDB's own types are wider: HUGEINT sums, BIGINT date
        # parts), so both engines write the same Parquet types
        import pyarrow as pa
        import pyarrow.parquet as pq
        folder.mkdir(parents=True)
        schema = expr.schema().to_pyarrow()
        with pq.ParquetWriter(folder / "part-0.parquet", schema) as writer:
            for batch in con.to_pyarrow_batches(expr):
                writer.write_table(pa.Table.from_batches([batch]).cast(schema))
    else:
        con.to_parquet_dir(expr, str(folder.resolve()))


def run(con, events_folder: str | Path, out_folder: str | Path, overwrite: bool = False) -> dict[str, int]:
    """Compute every aggregate over ``events_folder`` on ``con`` and write each as Parquet under
    ``out_folder/<name>/``; returns name → row count.  The two folders must not hold each other: an output inside
    the events folder had written a truncated aggregate among the events (the folder then unreadable), and with
    --overwrite an events folder inside the output would be emptied before it was read."""
    events, target = Path(events_folder).resolve(), Path(out_folder).resolve()
    if target == events or events in target.parents or target in events.parents:
        raise ExchangeError(f"--out {out_folder}: is, holds or lies inside the events folder {events_folder}; "
                            "give a folder apart from it")
    out = prepare_folder(out_folder, overwrite)
    counts = {}
    for name, expr in build(con, events_folder).items():
        _write(con, expr, out / name)
        counts[name] = int(read_aggregate(out, name).shape[0])
    return counts


def read_aggregate(out_folder: str | Path, name: str):
    """One aggregate written by :func:`run` (on either engine) as a pandas DataFrame."""
    import pyarrow.parquet as pq
    folder = Path(out_folder) / name
    files = sorted(folder.glob("*.parquet"))
    if not files:
        raise ExchangeError(f"{folder}: no Parquet written")
    return pq.ParquetDataset([str(f) for f in files]).read().to_pandas()
