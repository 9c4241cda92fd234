"""CLI commands for STIX 2.1 out: ``signalfire export stix`` (``register(app)`` adds the ``export`` group)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def export_stix(
    output: Path = typer.Option(..., "-o", "--output", help="Bundle file to write (.json); - for standard output."),
    store: Path | None = typer.Option(None, "--store", help="Store file (default: $SIGNALFIRE_STORE or "
                                         "~/.local/share/signalfire/signalfire.duckdb)."),
    level: str = typer.Option("clear", "--tlp", help="Highest TLP level that may leave: clear (white), green, "
                              "amber, amber+strict, red."),
    unmarked: str = typer.Option("amber", "--unmarked", help="TLP level assumed for objects with no TLP marking "
                                 "(default amber: not assumed public)."),
    country: str | None = typer.Option(None, "--country", help="Incidents with this state (ISO3 or name) as "
                                          "sponsor or victim (see --role)."),
    role: str = typer.Option("any", "--role", help="With --country: sponsor, victim or any."),
    since: str | None = typer.Option(None, "--since", help="Incidents from this date (YYYY, YYYY-MM, YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Incidents up to this date."),
    incident_type: str | None = typer.Option(None, "--incident-type", help="espionage, sabotage, ddos, "
                                                "defacement, data_destruction, financial_theft or doxing."),
    source: str | None = typer.Option(None, "--source", help="Incidents of one source: cfr-cyber or dcid."),
    types: str | None = typer.Option(None, "--type", help="STIX types to export, comma-separated (incident, "
                                        "intrusion-set, attack-pattern, malware, …; default: all)."),
    indent: bool = typer.Option(False, "--indent/--compact", help="Indent the JSON."),
):
    """Write filtered incidents and stored STIX objects as a STIX 2.1 bundle; nothing above --tlp leaves."""
    from signalfire.analysis.cyber import CyberQueryError
    from signalfire.cli import _fail, _reader, refuse_database
    from signalfire.reports.stix import ExportError, Selection, dumps, export_bundle
    target = None if str(output) == "-" else output
    if target is not None and target.is_dir():
        _fail(f"--output {output}: is a folder; give a file name")
    refuse_database(target, "--output")
    sel = Selection(tlp=level, unmarked=unmarked, country=country, role=role, since=since, until=until,
                    incident_type=incident_type, source=source,
                    types=[t.strip() for t in (types or "").split(",") if t.strip()])
    wh = _reader(store)
    try:
        bundle = export_bundle(wh.con, sel)
    except (ExportError, CyberQueryError) as exc:
        _fail(str(exc))
    finally:
        wh.close()
    data = dumps(bundle, indent=indent)
    if target is None:
        sys.stdout.buffer.write(data + b"\n")
        return
    try:
        target.write_bytes(data)
    except OSError as exc:
        _fail(f"--output {output}: cannot write ({exc.strerror})")
    counts: dict[str, int] = {}
    for obj in bundle["objects"]:
        counts[obj["type"]] = counts.get(obj["type"], 0) + 1
    summary = ", ".join(f"{n:,} {t}" for t, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    typer.echo(f"wrote {len(bundle['objects']):,} objects to {output} (TLP up to {sel.tlp}): {summary or 'none'}")


def register(app: typer.Typer) -> None:
    export = typer.Typer(help="Export data in exchange formats (STIX 2.1).", no_args_is_help=True)
    export.command("stix")(export_stix)
    app.add_typer(export, name="export")
