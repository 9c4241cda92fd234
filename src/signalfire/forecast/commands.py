"""CLI commands of the forecast layer: `register(app)` adds them to the `signalfire` Typer app."""

from __future__ import annotations


def register(app) -> None:
    """Add this layer's commands to the CLI (none yet)."""
