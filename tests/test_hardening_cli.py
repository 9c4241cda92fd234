"""The CLI on stores a probe broke it with: GDELT's missing counts (status, events table) and data that carries
terminal escapes or Rich markup (shown escaped, never sent to the terminal)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_hardening_support import ESCAPE, hostile_ged
from typer.testing import CliRunner

from signalfire.cli import app
from signalfire.sources import get
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """A wide table, so a cell's text is on one line (the assertions look for it whole)."""
    from signalfire import cli as module
    monkeypatch.setattr(module.out, "width", 400)


def cli(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def gdelt_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("gdelt") / "gdelt.duckdb"
    with Warehouse(path) as wh:
        result = ingest_file(wh, get("gdelt"), FIXTURES / "gdelt_v1_historical_2005.tsv")
    assert result.new > 0
    return path


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "hostile.duckdb"
    with Warehouse(path) as wh:
        result = ingest_file(wh, get("ucdp-ged"), hostile_ged(folder / "ged_hostile.csv"))
    assert result.new == 10
    return path


def test_status_on_a_store_with_gdelt(gdelt_store):
    """GDELT has no fatality counts: status showed 'cannot convert float NaN to integer'."""
    output = cli("status", "--store", gdelt_store)
    row = next(line for line in output.splitlines() if "gdelt" in line and "│" in line)
    cells = [c.strip() for c in row.split("│")]
    assert cells[1] == "gdelt" and cells[6] == ""       # fatalities (best): blank, not 0 and not a crash


def test_events_table_with_null_counts(gdelt_store):
    """A null integer (GDELT's fatalities) made the table view fail with 'boolean value of NA is ambiguous'."""
    output = cli("events", "--store", gdelt_store, "--limit", "3")
    assert "3 shown" in output and "gdelt" in output


def test_terminal_escapes_and_markup_are_shown_escaped(hostile_store):
    output = cli("events", "--store", hostile_store, "--limit", "10")
    assert "\x1b" not in output and "\u202e" not in output
    assert "\\x1b[31mRED\\x1b[0m [bold]markup[/bold] \\u202eevil\\u202c end" in output
    assert "[bold]" in output                          # markup in the data is shown, not applied


def test_quarantine_show_escapes_the_raw_record(tmp_path):
    bad = tmp_path / "ged_bad.csv"
    hostile_ged(bad)
    text = bad.read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace(text[1].split(",")[0], "not-a-number\x1b[2J", 1)   # an id that is quarantined
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    store = tmp_path / "q.duckdb"
    with Warehouse(store) as wh:
        assert ingest_file(wh, get("ucdp-ged"), bad).quarantined == 1
    listing = cli("quarantine", "--store", store)
    shown_record = cli("quarantine", "--store", store, "--show", "1:line 2")
    for output in (listing, shown_record):
        assert "\x1b" not in output and "not-a-number\\x1b[2J" in output


@pytest.mark.parametrize("value, text", [
    (ESCAPE, "\\x1b[31mRED\\x1b[0m [bold]markup[/bold] \\u202eevil\\u202c end"),
    ("line\nbreak\ttab\x7f\x9b", "line\\x0abreak\\x09tab\\x7f\\x9b"),
    (None, ""), (float("nan"), ""), (__import__("pandas").NA, ""), (12, "12"), ("Kyiv", "Kyiv")])
def test_shown_values(value, text):
    from signalfire.cli import shown
    assert shown(value).plain == text


def test_a_path_with_markup_is_an_error_message_not_a_traceback(tmp_path):
    """``[/]`` in a path (a folder named ``a[``) made the error message a Rich MarkupError and a traceback; ``[red]``
    recoloured the message and vanished from it. The path is shown as it was given."""
    from cli_support import run_cli
    for name in ("a[/]b.csv", "[red]c.csv"):
        done = run_cli("ingest", "ucdp-ged", tmp_path / name, "--store", tmp_path / "s.duckdb", check=False)
        assert done.returncode == 2
        assert f"error: {tmp_path / name}: no such file" in done.stderr


def test_a_file_name_with_markup_and_escapes_is_shown_escaped(tmp_path):
    """A file's name is data too: in the ingest table and the "nothing changed" line it is shown as it is, its
    escape escaped, never applied."""
    from cli_support import run_cli
    src = Path(__file__).resolve().parents[1] / "src" / "signalfire" / "demo" / "ged_ukraine_2014-2023.csv.gz"
    hostile = tmp_path / "[red]e\x1b[31mvil.csv.gz"
    hostile.write_bytes(src.read_bytes())
    store = tmp_path / "s.duckdb"
    first = run_cli("ingest", "ucdp-ged", hostile, "--store", store)
    again = run_cli("ingest", "ucdp-ged", hostile, "--store", store)
    for done in (first, again):
        assert "\x1b" not in done.stdout + done.stderr
        assert "[red]e\\x1b[31mvil.csv.gz" in done.stdout
    assert "[red]e\\x1b[31mvil.csv.gz: already ingested in run 1; nothing changed" in again.stdout


def test_plain_messages_keep_their_lines():
    from signalfire.cli import error, plain
    assert plain("two\nlines\tand \x1b[2J [b]x[/b]").plain == "two\nlines\tand \\x1b[2J [b]x[/b]"
    assert error("[/] gone?").plain == "error: [/] gone?"


def _on_a_terminal(*args) -> bytes:
    """Run ``signalfire ARGS`` with its standard output on a pseudo-terminal; what it wrote there."""
    import os
    import pty
    import subprocess
    import sys
    import threading
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def read():
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:          # the terminal closed (Linux: EIO once the child and our end are gone)
                return
            if not data:
                return
            chunks.append(data)
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    proc = subprocess.run([sys.executable, "-m", "signalfire.cli", *map(str, args)], stdout=slave, check=False,
                          stderr=subprocess.PIPE, timeout=300)
    os.close(slave)
    reader.join(timeout=30)
    os.close(master)
    assert proc.returncode == 0, proc.stderr
    return b"".join(chunks)


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_an_export_to_a_terminal_is_inert_and_to_a_pipe_exact(hostile_store, fmt):
    """CSV and GeoJSON on a terminal had carried a source's escapes raw (\\x1b[31m, an OSC title, U+202E); there
    they are shown escaped, as the tables show them. To a pipe or a file the bytes stay the export's own."""
    shown = _on_a_terminal("events", "--format", fmt, "--store", hostile_store).decode("utf-8")
    assert "\x1b" not in shown and "\u202e" not in shown
    # CSV's raw ESC is shown escaped here; JSON had already written it as \u001b
    assert ("\\x1b[31mRED" if fmt == "csv" else "\\u001b[31mRED") in shown
    assert "\\u202eevil" in shown
    from cli_support import run_cli
    piped = run_cli("events", "--format", fmt, "--store", hostile_store).stdout
    assert "\u202e" in piped         # the data as published, for a program or a file
