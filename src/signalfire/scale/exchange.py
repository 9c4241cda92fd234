"""Events as Parquet partitioned hive-style by source and month (``source=ucdp-ged/month=2023-07/…``).

Either engine reads the folder (DuckDB with ``hive_partitioning``, Spark by partition discovery), so one engine's
output is the other's input.  An event without a start date lands in ``month=__HIVE_DEFAULT_PARTITION__``
(``month`` null when read back).
"""

from __future__ import annotations

from pathlib import Path

from signalfire.store.schema import EVENT_COLUMNS

PARTITIONS = ("source", "month")


class ExchangeError(ValueError):
    """A folder that cannot be written or read as partitioned events; the message says which and why."""


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def prepare_folder(folder: str | Path, overwrite: bool = False) -> Path:
    """``folder`` as a Path, created; an existing non-empty folder only with ``overwrite`` (its files replaced)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ExchangeError(f"{folder}: exists and is not a folder")
    if folder.exists() and any(folder.iterdir()) and not overwrite:
        raise ExchangeError(f"{folder}: is not empty (pass --overwrite to replace its contents)")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_events(store, folder: str | Path, overwrite: bool = False) -> int:
    """Write the store's events (the event columns, without the ingest trace) under ``folder`` as Parquet
    partitioned by source and month; returns the number of events written."""
    folder = prepare_folder(folder, overwrite)
    columns = ", ".join(EVENT_COLUMNS)
    count = store.con.execute("SELECT count(*) FROM events").fetchone()[0]
    store.con.execute(
        f"COPY (SELECT {columns}, strftime(date_start, '%Y-%m') AS month FROM events) TO {_sql_path(folder)} "
        f"(FORMAT PARQUET, PARTITION_BY ({', '.join(PARTITIONS)}), OVERWRITE)")
    return int(count)


def parquet_glob(folder: str | Path) -> str:
    """The glob DuckDB reads a partitioned folder with; an error naming the folder when it holds no Parquet."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ExchangeError(f"{folder}: no such folder of Parquet events")
    if not any(folder.rglob("*.parquet")):
        raise ExchangeError(f"{folder}: holds no .parquet files (write one with `signalfire scale export-events`)")
    return str(folder / "**" / "*.parquet")
