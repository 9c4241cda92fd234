"""The Python API for notebooks: ``signalfire.open(path)`` returns a :class:`Warehouse`.

    >>> import signalfire
    >>> wh = signalfire.open("demo.duckdb")
    >>> wh.events(country="UKR", since="2022-02-24")          # pandas DataFrame
    >>> wh.events(country="UKR", arrow=True)                  # pyarrow Table
    >>> wh.panel()                                            # country-month panel
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable
from numbers import Real
from pathlib import Path

from signalfire.analysis.alerts import AlertsQueries
from signalfire.analysis.context import ContextQueries
from signalfire.analysis.crises import CrisesQueries
from signalfire.analysis.cyber import CyberQueries
from signalfire.analysis.migration import MigrationQueries
from signalfire.analysis.missions import MissionsQueries
from signalfire.analysis.terrorism import TerrorismQueries
from signalfire.analysis.treaties import TreatiesQueries
from signalfire.analysis.unga import UngaQueries
from signalfire.analysis.wmd import WmdQueries
from signalfire.store.database import Store, StoreError
from signalfire.store.queries import EventFilter, QueryError, events_query

MAX_ROWS = 10**12   # above any store's size; keeps LIMIT/OFFSET inside DuckDB's integer range
# quarantined records in file order: the number in a reference ("line 484" before "line 1653"), then the reference
QUARANTINE_ORDER = "run_id, file_name, TRY_CAST(regexp_extract(record_ref, '[0-9]+') AS BIGINT), record_ref"


def _count(value, name: str, least: int, most: int = MAX_ROWS) -> int:
    """An integer in ``least … most`` (a row count or a run id), else QueryError."""
    try:
        if isinstance(value, bool):
            raise TypeError
        number = operator.index(value)
    except TypeError:
        raise QueryError(f"{name}: {value!r} is not a whole number") from None
    if not least <= number <= most:
        raise QueryError(f"{name}: {value!r} is out of range ({least}–{most:,})")
    return number


def _names(value, name: str):
    """A comma-separated string as given, or any iterable of strings (list, tuple, set) as a list."""
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, Iterable) or isinstance(value, (bytes, dict)):
        raise QueryError(f"{name}: {value!r} is not a string or a list of strings")
    items = list(value)
    wrong = [v for v in items if not isinstance(v, str)]
    if wrong:
        raise QueryError(f"{name}: {', '.join(map(repr, wrong))} is not a string; give a string or a list of strings")
    return sorted(items) if isinstance(value, (set, frozenset)) else items


def _bbox(value):
    """A ``"W,S,E,N"`` string as given, or a sequence of four numbers (west, south, east, north) as that string."""
    if value is None or isinstance(value, str):
        return value
    items = list(value) if isinstance(value, Iterable) and not isinstance(value, (bytes, dict, set)) else None
    if items is None or len(items) != 4 or not all(isinstance(v, Real) and not isinstance(v, bool) for v in items):
        raise QueryError(f"bbox: {value!r} is not (west, south, east, north): four numbers in degrees, "
                         "e.g. bbox=(22, 44, 40, 52)")
    return ",".join(repr(float(v)) for v in items)


class Warehouse(MissionsQueries, TreatiesQueries, UngaQueries, CrisesQueries, ContextQueries, CyberQueries,
                MigrationQueries, TerrorismQueries, AlertsQueries, WmdQueries, Store):
    """The store with the queries of every stream as methods (each stream's are in ``analysis/<stream>.py``)."""

    def events(self, country=None, category=None, source=None, since=None, until=None, bbox=None,
               limit: int | None = None, offset: int = 0, arrow: bool = False):
        """Events matching the filters, newest first.  ``country``, ``category`` and ``source`` take a string
        (``"UKR,SYR"``) or a list/tuple/set of strings; ``bbox`` a ``(west, south, east, north)`` tuple or a
        ``"W,S,E,N"`` string.  Bad values raise :class:`~signalfire.store.queries.QueryError`."""
        try:
            flt = EventFilter.parse(_names(country, "country"), _names(category, "category"),
                                    _names(source, "source"), since, until, _bbox(bbox))
        except QueryError as exc:   # the shared parser names CLI options (--since): name the parameters here
            raise QueryError(re.sub(r"(?<![\w-])--(?=[a-z])", "", str(exc))) from None
        offset = _count(offset, "offset", 0)
        limit = _count(limit, "limit", 1) if limit is not None else (MAX_ROWS if offset else None)
        sql, params = events_query(flt, limit=limit, offset=offset)
        result = self.con.execute(sql, params)
        return result.to_arrow_table() if arrow else result.df()

    def event_history(self, source: str, source_id: str):
        """Every stored version of one event, newest first (current row, then superseded revisions)."""
        return self.df(
            "SELECT 'current' AS state, NULL::TIMESTAMP AS superseded_at, * EXCLUDE (run_id, record_ref, row_hash), "
            "run_id FROM events WHERE source = ? AND source_id = ? "
            "UNION ALL SELECT 'superseded', superseded_at, * EXCLUDE (run_id, record_ref, row_hash, "
            "superseded_by_run, superseded_at), run_id FROM event_revisions WHERE source = ? AND source_id = ? "
            "ORDER BY run_id DESC", [source, str(source_id), source, str(source_id)])

    def panel(self, measure: str = "ged_sb_best", arrow: bool = False):
        """The country-month panel (see :mod:`signalfire.analysis.panel`)."""
        from signalfire.analysis.panel import country_month_panel
        frame = country_month_panel(self.con, measure=measure)
        if arrow:
            import pyarrow as pa
            return pa.Table.from_pandas(frame, preserve_index=False)
        return frame

    def conflicts(self):
        return self.df("SELECT * EXCLUDE (row_hash) FROM conflicts ORDER BY conflict_id, year")

    def runs(self):
        return self.df("SELECT * FROM ingest_runs ORDER BY run_id")

    def quarantine(self, run_id: int | None = None):
        """The quarantined records (of one ingest run), in file order as ``signalfire quarantine`` lists them:
        "line 10" after "line 2" (ordered as text, it had come first)."""
        if run_id is None:
            return self.df(f"SELECT * FROM quarantine ORDER BY {QUARANTINE_ORDER}")
        return self.df(f"SELECT * FROM quarantine WHERE run_id = ? ORDER BY {QUARANTINE_ORDER}",
                       [_count(run_id, "run_id", 0, 2**31 - 1)])

    def ingest(self, source: str, path: str | Path, source_version: str | None = None):
        from signalfire.sources import get
        from signalfire.store.ingest import ingest_file
        if self.read_only:
            raise StoreError(f"the store {self.path} was opened read-only: open it with "
                             "signalfire.open(path) (read_only=False) to ingest")
        return ingest_file(self, get(source), path, source_version=source_version)
