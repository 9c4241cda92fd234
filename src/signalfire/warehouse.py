"""The Python API for notebooks: ``signalfire.open(path)`` returns a :class:`Warehouse`.

    >>> import signalfire
    >>> wh = signalfire.open("demo.duckdb")
    >>> wh.events(country="UKR", since="2022-02-24")          # pandas DataFrame
    >>> wh.events(country="UKR", arrow=True)                  # pyarrow Table
    >>> wh.panel()                                            # country-month panel
"""

from __future__ import annotations

from pathlib import Path

from signalfire.store.database import Store
from signalfire.store.queries import EventFilter, events_query


class Warehouse(Store):
    def events(self, country=None, category=None, source=None, since=None, until=None, bbox=None,
               limit: int | None = None, arrow: bool = False):
        flt = EventFilter.parse(country, category, source, since, until, bbox)
        sql, params = events_query(flt, limit=limit)
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
        if run_id is None:
            return self.df("SELECT * FROM quarantine ORDER BY run_id, record_ref")
        return self.df("SELECT * FROM quarantine WHERE run_id = ? ORDER BY record_ref", [run_id])

    def ingest(self, source: str, path: str | Path, source_version: str | None = None):
        from signalfire.sources import get
        from signalfire.store.ingest import ingest_file
        return ingest_file(self, get(source), path, source_version=source_version)
