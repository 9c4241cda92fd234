"""The ``signalfire`` command line.

Every command takes ``--store PATH`` (default ``$SIGNALFIRE_STORE`` or ``~/.local/share/signalfire/signalfire.duckdb``).
Errors the user can act on are printed as one clear message with exit code 2; no traceback reaches the user
(set ``SIGNALFIRE_DEBUG=1`` to see one).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from signalfire import __version__
from signalfire.terminal import inert

app = typer.Typer(help="Signalfire: one warehouse for global security event data.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)


def _width(stream) -> int | None:
    """Rich's width for a stream: the terminal's (None: Rich asks it) or $COLUMNS where set; otherwise, when the output
    goes to a file or another program, wide enough that a table keeps whole cells instead of Rich's 80 columns, which
    folded file names and reasons into many lines and cut them with '…'."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return None if tty or os.environ.get("COLUMNS") else PIPED_WIDTH


PIPED_WIDTH = 400   # Rich never pads a table to the width: this is only the most a line may hold before it folds
# markup off: a file name, a path or a source's text in a message is shown as it is, never read as Rich markup
# (``[/]`` in a file name had raised a MarkupError, a traceback; ``[red]`` recoloured the line and vanished)
console = Console(stderr=True, width=_width(sys.stderr), markup=False)
out = Console(width=_width(sys.stdout), markup=False)

# the most rows a --limit may ask for: warehouse.MAX_ROWS (not imported here: --help stays light); a larger one had
# reached DuckDB's LIMIT as an INT128 and failed as an "unexpected ConversionException"
MAX_ROWS = 10**12

StoreOpt = typer.Option(None, "--store", help="Store file (default: $SIGNALFIRE_STORE or "
                        "~/.local/share/signalfire/signalfire.duckdb).")


def _store(path):
    """The store, for a command that writes (created if there is none)."""
    from signalfire.warehouse import Warehouse
    return Warehouse(path)


def _reader(path):
    """The store, for a command that only reads: opened read-only, so it works on a read-only file, never changes
    the file (nor creates one where a --store was mistyped; read-only opening fails on a missing path), and names the
    dashboard when a server holds the store.  A store of an older schema is upgraded once, as any opening for
    writing would."""
    from signalfire.store.database import StoreOutdated
    from signalfire.warehouse import Warehouse
    try:
        return Warehouse(path, read_only=True)
    except StoreOutdated:
        Warehouse(path).close()
        return Warehouse(path, read_only=True)


def shown(value) -> Text:
    """A value from the data for a terminal table: plain text (never Rich markup), control characters and bidi
    overrides escaped (``\\x1b``), a missing value (None, NaN, pandas' NA) blank."""
    if _missing(value):
        return Text("")
    if hasattr(value, "normalize") and value == value.normalize():   # a pandas Timestamp of a DATE column
        value = value.date()
    return Text(inert(str(value)))


def plain(message) -> Text:
    """A message for the terminal that may hold a file name, a path or a source's text: never Rich markup, its
    control characters and bidi overrides escaped as :func:`shown` escapes them, its line breaks and tabs kept."""
    return Text(inert(str(message), keep_lines=True))


def error(message) -> Text:
    """``error: <message>``, the prefix in bold red, the message :func:`plain`."""
    return Text.assemble(("error:", "bold red"), " ", plain(message))


def _missing(value) -> bool:
    import pandas as pd
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):     # a list or array: not one missing value
        return False


def _count(value) -> str:
    """A count or sum for a table: thousands separators, a missing one (a source without the measure) blank."""
    return "" if _missing(value) else f"{int(value):,}"


DUCKDB_MAGIC = b"DUCK"   # bytes 8-11 of every DuckDB database file


def is_database(path: Path) -> bool:
    """Whether ``path`` is an existing DuckDB database file (a store): its header, not its name, says so."""
    try:
        with open(path, "rb") as f:
            return f.read(12)[8:12] == DUCKDB_MAGIC
    except OSError:
        return False


def refuse_database(path: Path | None, option: str) -> None:
    """Fail, before any work, when an output file would overwrite a store: ``--output`` given the store's own path
    (or any DuckDB file) had replaced it with an export, destroying every record in it."""
    if path is not None and is_database(path):
        _fail(f"{option} {path}: is a Signalfire store (a DuckDB database); writing there would destroy it. "
              "Give another file name")


def _fail(message: str, code: int = 2):
    console.print(error(message), highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def ingest(
    source: str = typer.Argument(..., help="Source format, e.g. ucdp-ged, ucdp-acd, acled, gdelt, gtd, views-cm "
                                 "(see `signalfire sources`)."),
    files: list[Path] = typer.Argument(..., help="Files exactly as the producer publishes them."),
    store: Path | None = StoreOpt,
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
    source_version: str | None = typer.Option(None, "--source-version",
                                                 help="Release of the data (e.g. 24.1); default: from the file."),
):
    """Load files into the store: one transaction per file; bad records are quarantined with their reasons."""
    from signalfire.sources import get
    from signalfire.store.ingest import ingest_file
    adapter = get(source)
    for path in files:      # every file is checked before anything is loaded (or a store created)
        if path.is_dir():
            _fail(f"{path}: is a folder, not a file")
        if not path.is_file():
            _fail(f"{path}: no such file")
    if source_version is not None and not source_version.strip():
        _fail("--source-version is blank: give the release (e.g. 24.1), or leave it out to read it from the file")
    from signalfire.sources.base import SourceError
    from signalfire.store.database import StoreBusy, StoreError
    try:
        wh = _store(store)
    except StoreBusy:  # a running `signalfire serve` holds the store: hand the ingest to it
        from signalfire.web.handoff import ingest_via_server
        wh, results = None, ingest_via_server(store, adapter.name, files, source_version, console, quiet=as_json)
    results = [] if wh is not None else results
    try:
        for path in files if wh is not None else []:
            with Progress(TextColumn("{task.description}", style="bold", markup=False), BarColumn(),
                          MofNCompleteColumn(), TextColumn("records"), TimeElapsedColumn(), console=console,
                          disable=as_json or not console.is_terminal, transient=True) as bar:
                task = bar.add_task(inert(f"{adapter.name} {path.name}"), total=None)
                result = ingest_file(wh, adapter, path, progress=lambda n, task=task: bar.advance(task, n),
                                     source_version=source_version)
            results.append(result)
        _alert(wh, as_json)
    except (SourceError, StoreError) as exc:
        if not results:
            raise
        _alert(wh, as_json)                              # the rules, on the files that were loaded
        _print_ingest(results, adapter.name, as_json)   # what was loaded before the file that failed
        _fail(f"{exc} (the {len(results)} file(s) listed above were loaded; this one and any after it were not)")
    finally:
        if wh is not None:
            wh.close()
    _print_ingest(results, adapter.name, as_json)


def _alert(wh, as_json: bool) -> None:
    """The alert rules, on the runs this ingest wrote (as the server and `signalfire watch` do after theirs); a
    hand-off to the server (``wh`` None) leaves them to the server."""
    if wh is not None:
        from signalfire.alerts.evaluate import after_runs
        after_runs(wh.con, None if as_json else lambda text: console.print(text, highlight=False))


def _print_ingest(results, adapter_name: str, as_json: bool) -> None:
    totals = {k: sum(getattr(r, k) for r in results)
              for k in ("read", "new", "updated", "unchanged", "quarantined")}
    if as_json:
        payload = {**totals, "source": adapter_name, "files": [r.as_dict() for r in results]}
        out.print_json(json.dumps(payload, default=str))
        return
    table = Table(title=f"ingest {adapter_name}", title_justify="left")
    for col in ("file", "read", "new", "updated", "unchanged", "quarantined", "status"):
        table.add_column(col, justify="right" if col not in ("file", "status") else "left")
    for r in results:
        table.add_row(shown(Path(r.file).name), *(f"{getattr(r, k):,}" for k in
                      ("read", "new", "updated", "unchanged", "quarantined")),
                      r.status)
    out.print(table)
    for r in results:
        if r.status == "unchanged":
            out.print(plain(f"{Path(r.file).name}: {r.message}"), highlight=False, soft_wrap=True)
    if totals["quarantined"]:
        out.print(f"{totals['quarantined']:,} records quarantined: see `signalfire quarantine`")


@app.command()
def sources():
    """List the source adapters and the formats they read."""
    from signalfire.sources import all_adapters
    table = Table(title="source adapters", title_justify="left")
    for col in ("source", "table", "version", "reads"):
        table.add_column(col)
    for a in all_adapters():
        table.add_row(a.name, a.table, a.version, a.formats)
    out.print(table)


def _vintages(count: int, first, last) -> str:
    """One version, or the span of many (ACLED and GDELT stamp every event with its own)."""
    if not count:
        return ""
    if count == 1:
        return str(first)
    return f"{count:,} vintages, {first} … {last}"


@app.command()
def status(store: Path | None = StoreOpt):
    """What is loaded, by source: records, spans, vintages, and the data's attribution."""
    from signalfire.sources import MODULES, get
    wh = _reader(store)
    try:
        ev = wh.df("""SELECT source, count(*) AS events, min(date_start) AS first, max(date_start) AS last,
                             count(DISTINCT country_iso3) AS countries, sum(fatalities_best) AS fatalities,
                             count(DISTINCT source_version) AS n_versions,
                             min(source_version) AS v_min, max(source_version) AS v_max
                      FROM events GROUP BY source ORDER BY source""")
        other = wh.df("""SELECT 'conflicts' AS tbl, count(*) AS n, min(year)::VARCHAR AS first, max(year)::VARCHAR AS last FROM conflicts
                         UNION ALL SELECT 'country_month', count(*), min(year)::VARCHAR, max(year)::VARCHAR FROM country_month
                         UNION ALL SELECT 'country_year', count(*), min(year)::VARCHAR, max(year)::VARCHAR FROM country_year""")
        runs = wh.df("""SELECT adapter, count(*) AS runs, max(finished_at) AS last_run,
                               sum(rows_quarantined) AS quarantined FROM ingest_runs
                        WHERE status = 'loaded' GROUP BY adapter ORDER BY adapter""")
    finally:
        wh.close()
    out.print(f"store: {wh.path}")
    table = Table(title="events", title_justify="left")
    for col in ("source", "events", "first", "last", "countries", "fatalities (best)", "versions"):
        table.add_column(col)
    for r in ev.itertuples():
        table.add_row(shown(r.source), f"{r.events:,}", str(r.first)[:10], str(r.last)[:10], str(r.countries),
                      _count(r.fatalities), shown(_vintages(r.n_versions, r.v_min, r.v_max)))
    out.print(table)
    t2 = Table(title="other tables", title_justify="left")
    for col in ("table", "rows", "first year", "last year"):
        t2.add_column(col)
    for r in other.itertuples():
        t2.add_row(r.tbl, f"{r.n:,}", str(r.first or ""), str(r.last or ""))
    out.print(t2)
    if len(runs):
        t3 = Table(title="ingest runs", title_justify="left")
        for col in ("adapter", "runs", "last run", "quarantined"):
            t3.add_column(col)
        for r in runs.itertuples():
            t3.add_row(r.adapter, str(r.runs), str(r.last_run)[:19], _count(r.quarantined))
        out.print(t3)
        out.print(Text("Attribution", style="bold"))
        for name in runs.adapter:
            if name in MODULES and get(name).licence:
                out.print(f"  {name}: {get(name).licence}", highlight=False)


@app.command()
def quarantine(
    run: int | None = typer.Option(None, "--run", help="Only this ingest run."),
    show: str | None = typer.Option(None, "--show", help="Show one record in full: RUN:REF, e.g. 3:'line 12'."),
    limit: int = typer.Option(50, "--limit", min=1, max=MAX_ROWS, help="Rows to list."),
    store: Path | None = StoreOpt,
):
    """List rejected records with their reasons, or show one in full."""
    wh = _reader(store)
    try:
        if show:
            run_part, _, ref = show.partition(":")
            if not run_part.isdigit() or not ref:
                _fail("--show takes RUN:REF, e.g. 3:line 12")
            rows = wh.df("SELECT * FROM quarantine WHERE run_id = ? AND record_ref = ?", [int(run_part), ref])
            if rows.empty:
                _fail(f"no quarantined record {ref!r} in run {run_part}")
            for key, value in rows.iloc[0].items():
                out.print(Text.assemble((f"{key}", "bold"), ": ", shown(value)), highlight=False)
            return
        where, params = ("WHERE run_id = ?", [run]) if run is not None else ("", [])
        total = wh.sql(f"SELECT count(*) FROM quarantine {where}", params).fetchone()[0]
        from signalfire.warehouse import QUARANTINE_ORDER
        rows = wh.df(f"SELECT run_id, file_name, record_ref, column_name, reason FROM quarantine {where} "
                     f"ORDER BY {QUARANTINE_ORDER} LIMIT {int(limit)}", params)
    finally:
        wh.close()
    table = Table(title=f"quarantine ({total:,} records)", title_justify="left")
    for col in ("run", "file", "record", "column", "reason"):
        table.add_column(col, overflow="fold")
    for r in rows.itertuples():
        table.add_row(str(r.run_id), shown(r.file_name), shown(r.record_ref), shown(r.column_name), shown(r.reason))
    out.print(table)


@app.command()
def events(
    store: Path | None = StoreOpt,
    country: str | None = typer.Option(None, "--country", help="ISO3 code(s), comma-separated."),
    category: str | None = typer.Option(None, "--category", help="e.g. armed_conflict, unrest, terrorism."),
    source: str | None = typer.Option(None, "--source", help="e.g. ucdp-ged, acled, gdelt, gtd."),
    since: str | None = typer.Option(None, "--since", help="First date (YYYY-MM-DD, YYYY-MM or YYYY)."),
    until: str | None = typer.Option(None, "--until", help="Last date."),
    bbox: str | None = typer.Option(None, "--bbox", help="W,S,E,N in degrees; W > E crosses the antimeridian."),
    fmt: str = typer.Option("table", "--format", help="table, csv, parquet or geojson (default: from --output's "
                            "suffix, else table)."),
    output: Path | None = typer.Option(None, "--output", help="Write to this file; - for standard output "
                                          "(default for table/csv/geojson)."),
    limit: int | None = typer.Option(None, "--limit", min=1, max=MAX_ROWS,
                                     help="At most this many events (table default: 50)."),
):
    """Filter events and print them or export them (CSV, Parquet, GeoJSON)."""
    from signalfire.reports.export import write_events
    from signalfire.store.queries import EventFilter, events_query
    if output is not None and str(output) == "-":
        output = None
    if fmt == "table" and output is not None:   # a file wants a file format: from its suffix
        fmt = {".csv": "csv", ".parquet": "parquet", ".geojson": "geojson"}.get(output.suffix.lower(), "")
        if not fmt:
            _fail(f"--output {output}: give --format csv, parquet or geojson (or a file ending in .csv, .parquet "
                  "or .geojson); the table format is for the terminal")
    if fmt not in ("table", "csv", "parquet", "geojson"):
        _fail(f"--format {fmt!r}: use table, csv, parquet or geojson")
    if fmt == "parquet" and output is None:
        _fail("--format parquet needs --output FILE")
    if output is not None and output.is_dir():
        _fail(f"--output {output}: is a folder; give a file name")
    refuse_database(output, "--output")
    flt = EventFilter.parse(country, category, source, since, until, bbox)
    wh = _reader(store)
    try:
        if fmt == "table":
            sql, params = events_query(flt, limit=limit or 50, columns=[
                "source", "source_id", "date_start", "country_iso3", "category", "subtype", "fatalities_best",
                "place"])
            frame = wh.df(sql, params)
            where, where_params = flt.where()
            total = wh.sql(f"SELECT count(*) FROM events WHERE {where}", where_params).fetchone()[0]
            table = Table(title=f"events: {total:,} match, {len(frame):,} shown", title_justify="left")
            for col in frame.columns:
                table.add_column(col, overflow="fold")
            for row in frame.itertuples(index=False):
                table.add_row(*(shown(v) for v in row))
            out.print(table)
            return
        sql, params = events_query(flt, limit=limit)
        try:
            n = write_events(wh.con.execute(sql, params).to_arrow_table(), fmt, output,
                             terminal=output is None and sys.stdout.isatty())
        except OSError as exc:
            _fail(f"--output {output}: cannot write it ({exc.strerror or exc})")
    finally:
        wh.close()
    if output:
        console.print(f"wrote {n:,} events to {output}")


@app.command()
def demo(store: Path | None = StoreOpt):
    """Load the bundled demo data (real UCDP and VIEWS excerpts) into the store and show what is there."""
    from signalfire.demo import ATTRIBUTION, load_demo
    wh = _store(store)
    try:
        with Progress(TextColumn("[bold]loading demo data"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True,
                      disable=not console.is_terminal) as bar:
            task = bar.add_task("demo", total=None)
            results = load_demo(wh, progress=lambda n: bar.advance(task, n))
    finally:
        wh.close()
    for r in results:
        out.print(f"{Path(r.file).name}: read {r.read:,}, new {r.new:,}, updated {r.updated:,}, "
                  f"unchanged {r.unchanged:,}, quarantined {r.quarantined:,}", highlight=False)
    status(store)
    out.print(ATTRIBUTION, highlight=False)


@app.command()
def version():
    """Print the version."""
    out.print(f"signalfire {__version__}")


@app.command()
def optimize(store: Path | None = StoreOpt):
    """Rewrite the stored events in (date, country) order so filtered queries skip what they do not need (run it
    after large ingests; see docs/SCALING.md)."""
    from signalfire.store.optimize import optimize_store
    r = optimize_store(store)
    out.print(f"events: {r['events']:,} rewritten in {r['order']} order in {r['seconds']:,} s; row groups "
              f"{r['after']['row_groups']:,}, days per row group {r['before']['mean_days_per_row_group']} -> "
              f"{r['after']['mean_days_per_row_group']}", highlight=False)


# Commands of the higher layers live beside their code: each module has ``register(app)``.
COMMAND_MODULES = (
    "signalfire.web.commands",
    "signalfire.forecast.cli.commands",
    "signalfire.alerts.commands",
    "signalfire.reports.stix_commands",
    "signalfire.reports.commands",
    "signalfire.scale.commands",
)


def _register_commands():
    from importlib import import_module
    for name in COMMAND_MODULES:
        import_module(name).register(app)


_register_commands()


def main():
    from signalfire.errors import QueryError, SourceError, StoreError  # not the layers: --help stays light
    debug = os.environ.get("SIGNALFIRE_DEBUG")
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except (SourceError, StoreError, QueryError) as exc:
        if debug:
            raise
        console.print(error(exc), highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        console.print("interrupted: nothing was committed by the unfinished step")
        sys.exit(130)
    except Exception as exc:  # the user never sees a traceback
        if debug:
            raise
        import click
        # a usage error (a value out of range, …): typer ≥ 0.29 raises its own copy of click's exceptions
        usage = (click.exceptions.ClickException, getattr(typer, "TyperException", click.exceptions.ClickException))
        if isinstance(exc, usage) and hasattr(exc, "show"):
            exc.show()
            sys.exit(getattr(exc, "exit_code", 2))
        console.print(error(f"unexpected {type(exc).__name__}: {exc}\n"
                            "Run again with SIGNALFIRE_DEBUG=1 for details, and please report it."), highlight=False,
                      soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
