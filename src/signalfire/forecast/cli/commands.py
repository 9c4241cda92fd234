"""CLI commands of the forecast layer: `register(app)` adds `signalfire forecast evaluate|run|export|runs`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from signalfire.forecast.cli.options import PLOT_FORMATS, check_output, open_store

JsonOpt = typer.Option(None, "--json", help="Write the scores as JSON to this file.")
PlotOpt = typer.Option(None, "--plot", help="Write the PIT calibration plot here (PNG, SVG or PDF, by the file's "
                       "suffix).")
ExportDirArg = typer.Argument(..., help="Output folder: writes cm/window=Y{YYYY}/predictions_{YYYY}.parquet.")
ViewsFileArg = typer.Argument(..., help="VIEWS predictions.csv (step, country_id, month_id, step_combined).")


def _print_contributions(out, result: dict) -> None:
    """Which countries carried each window's CRPS, and the scores without the onsets no series could announce."""
    from rich.table import Table
    table = Table(title="where the CRPS came from: countries with ≥5% of our CRPS, their CRPS (ours, conflictology) "
                  "and deaths/month in the 12 months before the cut-off and in the window; onset: ≤25 before, "
                  "≥100 in the window", title_justify="left")
    for col in ("window", "country", "ours", "conflictology", "before", "in window", "onset"):
        table.add_column(col, justify="left" if col in ("window", "country", "onset") else "right")
    for year, per in result["windows"].items():
        for row in per.get("contributions", {}).get("countries", []):
            table.add_row(year, row["iso3"], f"{row['crps']:.2f}", f"{row['crps_conflictology']:.2f}",
                          f"{row['deaths_per_month_before']:,.0f}", f"{row['deaths_per_month_window']:,.0f}",
                          "onset" if row["onset"] else "")
    out.print(table)
    if "mean_without_onsets" in result:
        from signalfire.forecast.evaluation.evaluate import OURS
        m = result["mean_without_onsets"]
        out.print(f"mean CRPS without onset country-months: ours {m[OURS]:.2f}, conflictology "
                  f"{m['conflictology']:.2f} (ratio {m[OURS] / m['conflictology']:.3f})", highlight=False)


def _spans(years: list[int]) -> str:
    """2005, 2006, 2007, 2018 → "2005–2007, 2018"."""
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _print_rolling(out, result: dict) -> None:
    """The rolling model choice: per window, the candidate chosen on the windows before it, and its scores."""
    from rich.table import Table

    from signalfire.forecast.evaluation.evaluate import METRICS
    roll = result["rolling"]
    table = Table(title=f"rolling model choice: per window, the candidate ({', '.join(roll['candidates'])}) with the "
                  "lowest mean CRPS over the windows whose months are all known at its cut-off",
                  title_justify="left")
    for col in ("window", "chosen", "chosen on", *METRICS):
        table.add_column(col, justify="left" if col in ("window", "chosen", "chosen on") else "right",
                         no_wrap=col == "chosen")
    for year, row in [*roll["windows"].items(), ("mean", roll["mean"])]:
        on = row.get("on")
        table.add_row(year, row.get("chosen", ""), "" if on is None else _spans(on) or "none: default",
                      *(f"{row[m]:.3f}" for m in METRICS))
    out.print(table)


def register(app) -> None:
    from signalfire.cli import StoreOpt, _fail
    forecast = typer.Typer(help="Probabilistic forecasts of UCDP state-based deaths per country and month "
                           "(VIEWS prediction challenge protocol).", no_args_is_help=True)
    app.add_typer(forecast, name="forecast")
    from signalfire.forecast.cli.onset import register as register_onset
    register_onset(forecast)     # forecast onset, forecast onset-evaluate

    @forecast.command("evaluate")
    def evaluate_cmd(
        windows: str = typer.Option("2018-2023", "--windows", help="Calendar years to score, e.g. 2018-2023."),
        store: Path | None = StoreOpt,
        json_file: Path | None = JsonOpt,
        plot: Path | None = PlotOpt,
        draws: int = typer.Option(1000, "--draws", min=12, help="Draws per country-month."),
        lead: int = typer.Option(1, "--lead", min=1, max=2, help="Years from the cut-off's to the window: 1 is "
                                 "the challenge (cut-off October of the year before, months 3–14 ahead); 2 scores "
                                 "months 15–26 ahead (cut-off October two years before)."),
        with_reference: bool = typer.Option(True, "--reference/--no-reference", help="Also score the reference "
                                            "forecaster (quantile LightGBM on each country's own history; about a "
                                            "minute a window on 2 cores)."),
        cache: Path | None = typer.Option(None, "--cache", help="JSON file of per-window results: windows found "
                                          "there (same model, draws and data) are not computed again, each new one "
                                          "is added at once, so a stopped evaluation resumes."),
    ):
        """Score our model, the four challenge benchmarks and the reference: CRPS, IGN, MIS (90%), Brier and AP for
        ≥25 deaths.  Every forecaster's IGN is scored on 1,000 draws, as the challenge does."""
        from rich.table import Table

        from signalfire.cli import console, out
        from signalfire.forecast.evaluation.evaluate import METRICS, OURS, benchmark_names, evaluate, parse_windows
        from signalfire.forecast.evaluation.reference import ReferenceConfig
        from signalfire.forecast.inputs import ForecastError
        try:
            years = parse_windows(windows)
        except ValueError as exc:
            _fail(str(exc))
        if json_file:     # checked now, not after minutes of fitting
            check_output(json_file, "--json")
        if plot:
            check_output(plot, "--plot", PLOT_FORMATS)
        if cache:
            check_output(cache, "--cache")
            from signalfire.forecast.evaluation.rolling import check_cache_file
            problem = check_cache_file(cache)
            if problem:
                _fail(f"--cache {problem}")
        wh = open_store(store, read_only=True)
        try:
            result = evaluate(wh.con, years, draws=draws, lead=lead,
                              ref=ReferenceConfig() if with_reference else None, cache=cache,
                              progress=lambda y, per: console.print(
                                  f"window {y}: {per['seconds']} s" + (" (from --cache)" if per.get("cached") else ""),
                                  style="dim"))
        except ForecastError as exc:
            _fail(str(exc))
        finally:
            wh.close()
        first, last = result["months_ahead"]
        table = Table(title=f"forecast evaluation ({result['countries']} countries, {draws} draws, months {first}–"
                      f"{last} after the cut-off)",
                      title_justify="left")
        for col in ("window", "model", *METRICS):
            table.add_column(col, justify="left" if col in ("window", "model") else "right")
        for key, per in [*result["windows"].items(), ("mean", result["mean"])]:
            for name in (OURS, *benchmark_names(result)):
                table.add_row(key, name, *(f"{per[name][m]:.3f}" for m in METRICS))
        out.print(table)
        _print_rolling(out, result)
        _print_contributions(out, result)
        if json_file:
            payload = {k: v for k, v in result.items() if k != "pit"}
            try:
                json_file.parent.mkdir(parents=True, exist_ok=True)
                json_file.write_text(json.dumps(payload, indent=1))
            except OSError as exc:
                _fail(f"cannot write --json {json_file}: {exc.strerror or exc}")
        if plot:
            from signalfire.forecast.evaluation.plots import pit_plot
            try:
                pit_plot(result["pit"], plot, title=f"PIT, windows {windows}, months {first}–{last} ahead")
            except OSError as exc:
                _fail(f"cannot write --plot {plot}: {exc.strerror or exc}")

    @forecast.command("run")
    def run_cmd(
        cutoff: str = typer.Option(..., "--cutoff", help="Last month of data used, YYYY-MM."),
        store: Path | None = StoreOpt,
        horizons: int = typer.Option(36, "--horizons", min=1, max=36, help="Months ahead to forecast."),
        draws: int = typer.Option(1000, "--draws", min=12, help="Draws per country-month."),
        config: str = typer.Option("full", "--config", help="Model size: full, or fast (small, for smoke tests)."),
    ):
        """Forecast the months after the cut-off for the 191 countries and store the draws."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from signalfire.cli import console, out
        from signalfire.forecast.annual import last_year_over
        from signalfire.forecast.countries import month_label, parse_month
        from signalfire.forecast.inputs import ForecastError
        from signalfire.forecast.models import CONFIGS
        from signalfire.forecast.runs import run
        try:
            cut = parse_month(cutoff)
        except ValueError as exc:
            _fail(str(exc))
        if config not in CONFIGS:
            _fail(f"unknown --config {config!r}; choose {', '.join(CONFIGS)}")
        from signalfire.store.database import resolve_path
        if not resolve_path(store).exists():      # a run needs ingested data: create no empty store
            _fail(f"no store at {resolve_path(store)}: ingest data first (signalfire ingest views-cm FILE)")
        wh = open_store(store)
        try:
            with Progress(TextColumn("[bold]fitting the model"), BarColumn(), MofNCompleteColumn(), TextColumn("fits"),
                          TimeElapsedColumn(), console=console, transient=True,
                          disable=not console.is_terminal) as bar:
                task = bar.add_task("fit", total=None)
                run_id = run(wh.con, cut, horizons=horizons, draws=draws, cfg=CONFIGS[config],
                             progress=lambda done, total: bar.update(task, completed=done, total=total))
            info = wh.con.execute("SELECT seconds, countries, config FROM forecast_runs WHERE run_id = ?",
                                  [run_id]).fetchone()
            from signalfire.alerts.evaluate import after_runs
            after_runs(wh.con, lambda text: console.print(text, highlight=False))   # the rules, on the new run
        except ForecastError as exc:
            _fail(str(exc))
        finally:
            wh.close()
        out.print(f"forecast run {run_id}: {info[1]} countries, {month_label(cut + 1)} to "
                  f"{month_label(cut + horizons)}, {draws} draws, {info[0]:.1f} s", highlight=False)
        known, wanted = json.loads(info[2]).get("annual_covariates_to"), last_year_over(cut)
        if known is not None:
            out.print(f"non-state and one-sided violence deaths (UCDP, per year) known to {known}"
                      + ("" if known >= wanted else f"; {wanted} is over but missing: ingest a newer UCDP "
                         "organized-violence file (signalfire ingest ucdp-cy FILE)"), highlight=False)

    @forecast.command("export")
    def export_cmd(
        window: int = typer.Option(..., "--window", min=1990, max=2200,
                                   help="Challenge window (calendar year), e.g. 2024."),
        directory: Path = ExportDirArg,
        team: str = typer.Option("signalfire", "--team", help="Team name in submission_details.yml."),
        contact: str = typer.Option("", "--contact", help="Contact e-mail in submission_details.yml (the "
                                    "challenge's compliance check requires one)."),
        author: list[str] = typer.Option(None, "--author", help="An author's name (repeat for more; default: the "
                                         "team)."),
        store: Path | None = StoreOpt,
    ):
        """Write a stored forecast in the VIEWS challenge submission layout (month_id, country_id, draw, outcome),
        with the template's submission_details.yml."""
        from signalfire.cli import out
        from signalfire.forecast.export import export_window, window_run, write_details
        from signalfire.forecast.inputs import ForecastError
        wh = open_store(store, read_only=True)
        try:
            path = export_window(wh.con, window, directory)
            version = wh.con.execute("SELECT model_version FROM forecast_runs WHERE run_id = ?",
                                     [window_run(wh.con, window)]).fetchone()[0]
            details = write_details(directory, version, team, contact, author or None)
        except ForecastError as exc:
            _fail(str(exc))
        finally:
            wh.close()
        out.print(f"wrote {path}", highlight=False, soft_wrap=True)
        out.print(f"wrote {details}" + ("" if contact else " (no --contact: the challenge's compliance check "
                                        "needs an e-mail address there)"), highlight=False, soft_wrap=True)

    @forecast.command("import-views")
    def import_views_cmd(
        file: Path = ViewsFileArg,
        store: Path | None = StoreOpt,
    ):
        """Import VIEWS's published point forecasts as a forecast run (model views-published), to show beside ours."""
        from signalfire.cli import out
        from signalfire.forecast.inputs import ForecastError
        from signalfire.forecast.views_published import import_published, imported_run
        from signalfire.store.ingest import file_sha256
        if file.is_dir():
            _fail(f"{file}: is a folder, not a file")
        if not file.is_file():
            _fail(f"{file}: no such file")
        try:
            sha256 = file_sha256(file)
        except OSError as exc:
            _fail(f"{file}: cannot read ({exc.strerror or exc})")
        wh = open_store(store)
        try:
            existing = imported_run(wh.con, sha256)
            run_id = import_published(wh.con, file, sha256) if existing is None else existing
        except ForecastError as exc:
            _fail(str(exc))
        finally:
            wh.close()
        if existing is not None:
            out.print(f"{file.name} is already imported (as forecast run {run_id}, model views-published): "
                      "nothing new stored", highlight=False)
            return
        out.print(f"imported {file.name} as forecast run {run_id} (model views-published)", highlight=False)

    @forecast.command("runs")
    def runs_cmd(store: Path | None = StoreOpt):
        """List stored forecast runs."""
        from rich.table import Table

        from signalfire.cli import out
        from signalfire.forecast.store import runs
        wh = open_store(store, read_only=True)
        try:
            frame = runs(wh.con)
        finally:
            wh.close()
        table = Table(title="forecast runs", title_justify="left")
        cols = ("run_id", "model", "model_version", "cutoff", "horizons", "draws", "countries", "created_at")
        for col in cols:
            table.add_column(col)
        for row in frame.itertuples():
            table.add_row(*(str(getattr(row, c)) for c in cols))
        out.print(table)
