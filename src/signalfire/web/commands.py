"""CLI commands of the web layer: `register(app)` adds them to the `signalfire` Typer app."""

from __future__ import annotations


def register(app) -> None:
    """Add this layer's commands to the CLI (none yet)."""
