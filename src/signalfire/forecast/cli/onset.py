"""CLI commands of the onset model (:mod:`signalfire.forecast.onset`): ``signalfire forecast onset`` and ``forecast onset-evaluate``,
added to the ``forecast`` group by :func:`signalfire.forecast.cli.commands.register`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from signalfire.forecast.cli.options import PLOT_FORMATS, check_output, open_store


def register(forecast) -> None:
    from signalfire.cli import StoreOpt, _fail

    @forecast.command("onset")
    def onset_cmd(
        cutoff: str = typer.Option(..., "--cutoff", help="Last month of data used, YYYY-MM."),
        store: Path | None = StoreOpt,
        top: int = typer.Option(20, "--top", min=1, max=191, help="How many countries to list."),
    ):
        """Risk of new conflict: for countries quiet at the cut-off (≤25 state-based deaths in every month of the
        last 12), the probability of ≥25 and ≥100 deaths in some month of the next 12.  Nothing is stored (a
        forecast run stores its onset risk with it)."""
        from rich.table import Table

        from signalfire.cli import out
        from signalfire.forecast.countries import challenge_countries, month_label, parse_month
        from signalfire.forecast.inputs import ForecastError, history
        from signalfire.forecast.onset import predict
        try:
            cut = parse_month(cutoff)
        except ValueError as exc:
            _fail(str(exc))
        wh = open_store(store, read_only=True)
        try:
            frame = predict(wh.con, history(wh.con, cut))
        except ForecastError as exc:
            _fail(str(exc))
        finally:
            wh.close()
        names = dict(zip(challenge_countries()["iso3"], challenge_countries()["name"]))
        quiet = frame[frame["quiet"]].sort_values(["p_ge25", "p_ge100"], ascending=False)
        table = Table(title=f"risk of new conflict after {month_label(cut)}: {len(quiet)} of {len(frame)} countries "
                      f"quiet (≤25 deaths in every month of the last 12); base rates {frame['base_ge25'].iloc[0]:.1%} "
                      f"(≥25) and {frame['base_ge100'].iloc[0]:.1%} (≥100)", title_justify="left")
        for col in ("country", "iso3", "largest month (last 12)", "P(≥25 in 12 months)", "P(≥100 in 12 months)"):
            table.add_column(col, justify="left" if col in ("country", "iso3") else "right")
        for row in quiet.head(top).itertuples():
            table.add_row(str(names.get(row.country_iso3, row.country_iso3)), row.country_iso3,
                          f"{row.deaths_max12:,.0f}", f"{row.p_ge25:.1%}", f"{row.p_ge100:.1%}")
        out.print(table)

    @forecast.command("onset-evaluate")
    def onset_evaluate_cmd(
        windows: str = typer.Option("2005-2022", "--windows", help="Cut-off years (October of each), e.g. "
                                    "2005-2022: each scores the 12 months November to October after it."),
        store: Path | None = StoreOpt,
        plot: Path = typer.Option(Path("onset_reliability.png"), "--plot", help="Write the reliability diagram "
                                  "here (PNG, SVG or PDF, by the file's suffix)."),
        json_file: Path | None = typer.Option(None, "--json", help="Write the scores as JSON to this file."),
        with_model: bool = typer.Option(False, "--with-model/--no-model", help="Also score P(some month ≥k) "
                                        "from our forecaster's draws (about half a minute a window)."),
    ):
        """Score the onset model on rolling windows: Brier score, the base rate's Brier, the Brier skill score,
        average precision and the benchmarks, per window and pooled; write the reliability diagram."""
        from rich.table import Table

        from signalfire.cli import console, out
        from signalfire.forecast.evaluation.evaluate import parse_windows
        from signalfire.forecast.inputs import ForecastError
        from signalfire.forecast.onset import BENCHMARKS, THRESHOLDS, evaluate, reliability_plot
        try:
            years = parse_windows(windows)
        except ValueError as exc:
            _fail(str(exc))
        check_output(plot, "--plot", PLOT_FORMATS)
        if json_file:
            check_output(json_file, "--json")
        wh = open_store(store, read_only=True)
        try:
            result = evaluate(wh.con, years, with_model=with_model,
                              progress=lambda y, per: console.print(f"window {y}: {per['seconds']} s", style="dim"))
        except ForecastError as exc:
            _fail(str(exc))
        finally:
            wh.close()
        others = [*BENCHMARKS[1:], *(["qgbm"] if with_model else [])]
        for k in THRESHOLDS:
            table = Table(title=f"onset ≥{k} deaths in some month of the 12 after the cut-off (October), quiet "
                          "countries only.  base: the Brier score of the base rate (the training onset frequency given "
                          "to every country); BSS = 1 - Brier / base; AP: average precision; then each benchmark's "
                          "Brier and AP",
                          title_justify="left")
            for col in ("window", "quiet", "onsets", "Brier", "base", "BSS", "AP",
                        *(f"{n[:6]} {m}" for n in others for m in ("Brier", "AP"))):
                table.add_column(col, justify="left" if col == "window" else "right")
            rows = [(y, result["windows"][y][str(k)], result["windows"][y]["quiet"]) for y in result["windows"]]
            pooled = result["pooled"][str(k)]
            for key, row, n in [*rows, ("pooled", pooled, pooled["cases"])]:
                table.add_row(key, str(n), str(row["events"]), f"{row['onset']['brier']:.4f}",
                              f"{row['base_rate']['brier']:.4f}", f"{row['bss']:.3f}", f"{row['onset']['ap']:.3f}",
                              *(f"{row[n][m]:.{4 if m == 'brier' else 3}f}" for n in others for m in ("brier", "ap")))
            out.print(table)
            out.print(f"mean of the windows' BSS: {pooled['mean_window_bss']:.3f}", highlight=False)
        try:
            reliability_plot(result, plot)
            if json_file:
                json_file.write_text(json.dumps(result, indent=1))
        except OSError as exc:
            _fail(f"cannot write {plot if not json_file else json_file}: {exc.strerror or exc}")
        out.print(f"wrote {plot}" + (f" and {json_file}" if json_file else ""), highlight=False, soft_wrap=True)
