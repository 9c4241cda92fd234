"""What the forecast layer's CLI commands share (:mod:`.commands`, :mod:`.onset`) beyond what :mod:`signalfire.cli`
gives every command module (``StoreOpt``, ``_fail``): the check of an output file before any work, and the store
opened read-only or not."""

from __future__ import annotations

import os
from pathlib import Path

PLOT_FORMATS = (".png", ".svg", ".pdf")   # image formats matplotlib writes without extra software


def check_output(path: Path, option: str, suffixes: tuple[str, ...] | None = None) -> None:
    """Before any work: fail if ``path`` (an output file of ``option``) cannot be written — a folder, a suffix not
    in ``suffixes``, a file or folder one cannot write in."""
    from signalfire.cli import _fail, refuse_database
    from signalfire.forecast.export import check_folder
    from signalfire.forecast.inputs import ForecastError
    if path.is_dir():
        _fail(f"{option} {path}: is a folder; give a file name")
    if suffixes and path.suffix.lower() not in suffixes:
        kind = f"image format {path.suffix!r}" if path.suffix else "file name (no suffix)"
        _fail(f"{option} {path}: unsupported {kind}; name a " + ", ".join(suffixes[:-1])
             + f" or {suffixes[-1]} file (e.g. pit.png)")
    refuse_database(path, option)
    if path.exists() and not os.access(path, os.W_OK):
        _fail(f"{option} {path}: the file cannot be written (permission denied)")
    try:
        check_folder(path.parent)
    except ForecastError as exc:
        _fail(f"{option} {path}: {exc}")


def open_store(path, read_only=False):
    """The warehouse at ``path`` (the default store when None)."""
    from signalfire.warehouse import Warehouse
    return Warehouse(path, read_only=read_only)
