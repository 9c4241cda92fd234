"""CLI commands of the alerts layer: `register(app)` adds `signalfire alerts …` and `signalfire watch FOLDER`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from signalfire.alerts import AlertError


def register(app: typer.Typer) -> None:
    from signalfire.cli import StoreOpt, _fail, _reader, _store, out, shown
    alerts = typer.Typer(help="Alert rules, their firings and deliveries (webhook, e-mail, Atom feed).",
                         no_args_is_help=True)
    app.add_typer(alerts, name="alerts")

    def _writer(store):
        from signalfire.store.database import StoreBusy
        try:
            return _store(store)
        except StoreBusy:
            _fail("a running `signalfire serve` holds the store: stop it to edit rules from the command line, or "
                  "use the server's API")

    @alerts.command("add")
    def add_cmd(
        name: str = typer.Argument(..., help="A name for the rule."),
        kind: str = typer.Option("events", "--kind", help="events, forecast, new-records, cyber (a new operation "
                                 "against the subject's states) or route (a Frontex route's detections)."),
        subject: str | None = typer.Option(None, "--subject", help="ring:POL (Poland's land neighbours), POL, "
                                              "or UKR,BLR; default: every country."),
        threshold: float | None = typer.Option(None, "--threshold", help="events: deaths (or events) in a month; "
                                               "route: detections in a month."),
        route: str | None = typer.Option(None, "--route", help="route: the Frontex route watched."),
        measure: str = typer.Option("deaths", "--measure", help="events: deaths or events."),
        category: str | None = typer.Option(None, "--category", help="events: one event category."),
        source: str | None = typer.Option(None, "--source", help="events: one source; new-records: the source "
                                             "(adapter) whose new records fire the rule."),
        baseline_months: int | None = typer.Option(None, "--baseline-months", help="events: compare with the "
                                                      "mean of this many months before …"),
        ratio: float | None = typer.Option(None, "--ratio", help="… and fire only at this many times it."),
        level: float | None = typer.Option(None, "--level", help="forecast: P(≥25 deaths) crossing this (0–1)."),
        rise: float | None = typer.Option(None, "--rise", help="forecast: P(≥25) rising by this since the "
                                             "previous run."),
        months_ahead: int | None = typer.Option(None, "--months-ahead", help="forecast: which month after the "
                                                   "cut-off (default 1)."),
        webhook: str | None = typer.Option(None, "--webhook", help="POST each firing as JSON to this URL."),
        secret: str | None = typer.Option(None, "--secret", help="HMAC-SHA256 key for the webhook's signature."),
        email: str | None = typer.Option(None, "--email", help="E-mail each firing to these addresses."),
        smtp: str | None = typer.Option(None, "--smtp", help="smtp://host:port (default smtp://127.0.0.1:25)."),
        store: Path | None = StoreOpt,
    ):
        """Add an alert rule; it is evaluated after every ingest and forecast run from now on."""
        from signalfire.alerts.evaluate import add_rule
        params = {"subject": subject, "threshold": threshold, "measure": measure if kind == "events" else None,
                  "category": category, "source": source, "baseline_months": baseline_months, "ratio": ratio,
                  "level": level, "rise": rise, "months_ahead": months_ahead, "route": route}
        wh = _writer(store)
        try:
            rule_id = add_rule(wh.con, name, kind, params, webhook, secret, email, smtp)
        except AlertError as exc:
            _fail(str(exc))
        finally:
            wh.close()
        out.print(f"alert rule {rule_id} added", highlight=False)

    @alerts.command("list")
    def list_cmd(store: Path | None = StoreOpt):
        """The rules, with how often each fired."""
        from rich.table import Table
        wh = _reader(store)
        try:
            rows = wh.con.execute("""SELECT r.rule_id, r.name, r.kind, r.params, r.enabled,
                                            (SELECT count(*) FROM alert_firings f WHERE f.rule_id = r.rule_id)
                                     FROM alert_rules r ORDER BY r.rule_id""").fetchall()
        finally:
            wh.close()
        table = Table(title="alert rules", title_justify="left")
        for col in ("id", "name", "kind", "parameters", "enabled", "fired"):
            table.add_column(col)
        for r in rows:
            table.add_row(str(r[0]), shown(r[1]), r[2], shown(r[3]), "yes" if r[4] else "no", f"{r[5]:,}")
        out.print(table)

    def _toggle(rule_id: int, store, action: str):
        from signalfire.alerts import rules
        wh = _writer(store)
        try:
            if action == "remove":
                rules.remove(wh.con, rule_id)
            else:
                rules.set_enabled(wh.con, rule_id, action == "enable")
        except AlertError as exc:
            _fail(str(exc))
        finally:
            wh.close()
        out.print(f"alert rule {rule_id}: {action}d", highlight=False)

    @alerts.command("remove")
    def remove_cmd(rule_id: int = typer.Argument(...), store: Path | None = StoreOpt):
        """Remove a rule (its firings stay)."""
        _toggle(rule_id, store, "remove")

    @alerts.command("enable")
    def enable_cmd(rule_id: int = typer.Argument(...), store: Path | None = StoreOpt):
        """Evaluate a disabled rule again."""
        _toggle(rule_id, store, "enable")

    @alerts.command("disable")
    def disable_cmd(rule_id: int = typer.Argument(...), store: Path | None = StoreOpt):
        """Stop evaluating a rule."""
        _toggle(rule_id, store, "disable")

    @alerts.command("evaluate")
    def evaluate_cmd(
        all_data: bool = typer.Option(False, "--all", help="Evaluate on all the data in the store, not only on "
                                      "the runs not yet evaluated."),
        store: Path | None = StoreOpt,
    ):
        """Evaluate the rules now and send what is due."""
        from signalfire.alerts.evaluate import after_runs, evaluate_run
        wh = _writer(store)
        try:
            new = evaluate_run(wh.con, "manual", None) if all_data else []
            more, sent = after_runs(wh.con)
        finally:
            wh.close()
        # one line with both counts (--all's firings had been left out of after_runs' own line, which said 0 above
        # "351 new firing(s)")
        out.print(f"{len(new) + len(more)} new firing(s); deliveries sent {sent['sent']}, to retry {sent['retry']}, "
                  f"given up {sent['failed']}", highlight=False)

    @alerts.command("firings")
    def firings_cmd(
        limit: int = typer.Option(20, "--limit", min=1, max=10_000),
        as_json: bool = typer.Option(False, "--json", help="As JSON lines, with the evidence."),
        store: Path | None = StoreOpt,
    ):
        """The newest firings."""
        from rich.table import Table
        wh = _reader(store)
        try:
            rows = wh.con.execute("""SELECT firing_id, rule_id, CAST(fired_at AS VARCHAR), level, subject, period,
                                            title, evidence FROM alert_firings ORDER BY fired_at DESC, firing_id
                                     LIMIT ?""", [limit]).fetchall()
        finally:
            wh.close()
        if as_json:
            for r in rows:
                keys = ("firing_id", "rule_id", "fired_at", "level", "subject", "period", "title", "evidence")
                item = dict(zip(keys, r))
                item["evidence"] = json.loads(item["evidence"])
                out.print(json.dumps(item, default=str), highlight=False, soft_wrap=True, markup=False)
            return
        table = Table(title="alert firings", title_justify="left")
        for col in ("fired", "rule", "level", "subject", "period", "title"):
            table.add_column(col)
        for r in rows:
            table.add_row(r[2][:19], str(r[1]), r[3], shown(r[4]), shown(r[5]), shown(r[6]))
        out.print(table)

    @alerts.command("deliver")
    def deliver_cmd(store: Path | None = StoreOpt):
        """Send the deliveries that are due (retries back off from 30 s to an hour)."""
        from signalfire.alerts.deliver import flush
        wh = _writer(store)
        try:
            counts = flush(wh.con)
        finally:
            wh.close()
        out.print(f"sent {counts['sent']}, to retry {counts['retry']}, given up {counts['failed']}",
                  highlight=False)

    @app.command("watch")
    def watch_cmd(
        folder: Path = typer.Argument(..., help="Folder with one sub-folder per source, named as in "
                                      "`signalfire sources` (e.g. FOLDER/ucdp-ged/): files dropped there are "
                                      "ingested by that source's adapter."),
        forecast: bool = typer.Option(False, "--forecast/--no-forecast", help="Make a new forecast after an ingest "
                                      "that brought country-month or GED data (takes a minute)."),
        interval: float = typer.Option(10.0, "--interval", min=0.5, max=3600, help="Seconds between looks."),
        once: bool = typer.Option(False, "--once", help="Look once and stop (for cron or a test)."),
        store: Path | None = StoreOpt,
    ):
        """Ingest → forecast → alerts for files dropped into FOLDER, with a log line for each step. A file already
        ingested (same SHA-256) is not loaded again, and a rule never fires twice for the same thing, so a
        restart repeats nothing."""
        from signalfire.alerts.watch import watch
        from signalfire.cli import console, plain
        if not folder.is_dir():
            _fail(f"{folder}: no such folder")
        try:   # a log line names files from the folder: plain() shows their escapes escaped, never sent
            watch(folder, store, forecast=forecast, interval=interval, once=once,
                  log=lambda text: console.print(plain(text), highlight=False, soft_wrap=True))
        except KeyboardInterrupt:
            console.print("watch stopped", highlight=False)
