"""The errors a user can act on, one per layer, in a module of their own so that the command line can catch them
without importing the layers (and pandas, DuckDB) before a command needs them.  Each layer re-exports its own:
``signalfire.sources.base.SourceError``, ``signalfire.store.database.StoreError``,
``signalfire.store.queries.QueryError``."""

from __future__ import annotations


class SourceError(Exception):
    """The file cannot be read as this format; the message names the file (and line/column where it can)."""


class StoreError(Exception):
    """A problem with the store that the user can act on; its message is shown as is."""


class QueryError(ValueError):
    """A filter value the user gave is not valid; the message says which and why."""
