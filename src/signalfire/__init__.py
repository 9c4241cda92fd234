"""Signalfire: one warehouse and dashboard for global security event data."""

from __future__ import annotations

__version__ = "0.1.0"


def open(path=None, read_only: bool = False):
    """Open a store (default: ``$SIGNALFIRE_STORE`` or ``~/.local/share/signalfire/signalfire.duckdb``)."""
    from signalfire.warehouse import Warehouse
    return Warehouse(path, read_only=read_only)
