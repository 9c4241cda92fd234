"""CLI commands of the reports layer: `register(app)` adds `signalfire brief`."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    from signalfire.cli import StoreOpt, _fail, _reader, out, refuse_database

    @app.command("brief")
    def brief_cmd(
        country: str = typer.Option("POL", "--country", help="The country (ISO3 code or name); its land neighbours "
                                    "come with it."),
        period: str = typer.Option(..., "--period", help="The month, YYYY-MM (e.g. 2024-06)."),
        lang: str = typer.Option("en", "--lang", help="en or pl."),
        output: Path | None = typer.Option(None, "--output", "-o", help="The PDF to write (default: "
                                              "briefing_<COUNTRY>_<PERIOD>_<LANG>.pdf here)."),
        html_out: Path | None = typer.Option(None, "--html", help="Also write the HTML version here."),
        store: Path | None = StoreOpt,
    ):
        """A briefing on a country and its neighbours for one month: an A4 PDF (and HTML) with the bottom line,
        the month's figures and their change, a map, trends, the forecast, alerts, engagement and sources."""
        from signalfire.reports.briefing import build
        from signalfire.reports.briefing_render import LANGUAGES, BriefingError, html, pdf
        if lang not in LANGUAGES:
            _fail(f"--lang {lang[:10]!r}: choose one of {', '.join(LANGUAGES)}")
        target = output or Path(f"briefing_{country.upper()[:3]}_{period}_{lang}.pdf")
        for path, option in ((target, "--output"), (html_out, "--html")):
            if path is not None and (path.is_dir() or not path.parent.exists()):
                _fail(f"{option} {path}: not a file in an existing folder")
            refuse_database(path, option)
        wh = _reader(store)
        try:
            b = build(wh.con, country, period)
        finally:
            wh.close()
        page = html(b, lang)
        try:
            if html_out:
                html_out.write_text(page, encoding="utf-8")
            pdf(page, target)
        except (BriefingError, OSError) as exc:
            _fail(str(exc))
        out.print(f"wrote {target}" + (f" and {html_out}" if html_out else ""), highlight=False, soft_wrap=True)
