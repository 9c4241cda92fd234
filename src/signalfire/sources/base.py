"""What every adapter is: a plain generator of canonical batches, plus a little metadata.

An adapter module defines one :class:`Adapter` named ``ADAPTER`` whose ``read(path)`` yields :class:`Batch`
objects.  Each batch carries

* ``rows`` — a pandas DataFrame with the canonical columns of the adapter's target table (see
  :mod:`signalfire.store.schema`; missing optional columns may be left out, they are stored as NULL) and a
  ``record_ref`` column (the line or record number in the file, as text);
* ``quarantine`` — a DataFrame with ``record_ref``, ``column_name``, ``raw`` and ``reason`` for every record that
  could not be read or mapped;
* ``read`` — how many records of the file this batch covers.  ``read == len(rows) + len(quarantine)``, always.

Adapters never drop a record silently and never write to the store: the ingest does that, in one transaction.
Errors that make the whole file unreadable (wrong format, missing required columns) raise :class:`SourceError`
with a message naming the file, and the line and column where it applies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from signalfire.errors import SourceError  # noqa: F401 (re-exported: the adapters raise it from here)

QUARANTINE_FIELDS = ["record_ref", "column_name", "raw", "reason"]
RAW_LIMIT = 10_000


@dataclass
class Batch:
    rows: pd.DataFrame
    quarantine: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_FIELDS))
    read: int | None = None
    source_version: str | None = None

    def __post_init__(self):
        if self.read is None:
            self.read = len(self.rows) + len(self.quarantine)
        if self.read != len(self.rows) + len(self.quarantine):
            raise AssertionError(
                f"adapter accounting error: read {self.read} != {len(self.rows)} rows + "
                f"{len(self.quarantine)} quarantined")


@dataclass(frozen=True)
class Adapter:
    name: str                    # CLI name, e.g. "ucdp-ged"
    source: str                  # source family stored in events.source, e.g. "ucdp-ged"
    table: str                   # target table: events, conflicts, country_month, country_year
    version: str                 # adapter version, recorded with every ingest run
    formats: str                 # one line: what files it reads
    read: Callable[[Path], Iterator[Batch]]
    licence: str = ""            # attribution shown by `signalfire status`


def quarantine_frame(records: list[dict] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(records or [], columns=QUARANTINE_FIELDS)
    if len(frame):
        frame["raw"] = frame["raw"].astype(str).str.slice(0, RAW_LIMIT)
    return frame.astype({c: "object" for c in QUARANTINE_FIELDS})


def quarantine_rows(frame: pd.DataFrame, mask: pd.Series, reason: str | pd.Series, column: str | None,
                    raw: pd.Series) -> pd.DataFrame:
    """Quarantine records for the rows selected by ``mask``; ``raw`` is the raw text of each row."""
    picked = frame.loc[mask]
    if picked.empty:
        return quarantine_frame()
    reasons = reason.loc[mask] if isinstance(reason, pd.Series) else reason
    return quarantine_frame(pd.DataFrame({
        "record_ref": picked["record_ref"].astype(str), "column_name": column,
        "raw": raw.loc[mask].astype(str), "reason": reasons,
    }).to_dict("records"))
