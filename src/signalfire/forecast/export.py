"""The VIEWS prediction challenge's submission layout: ``DIR/cm/window=Y{YYYY}/predictions_{YYYY}.parquet`` with
``month_id, country_id, draw, outcome`` — one row per country, month of the window and draw — and, as in the
challenge's submission template, ``DIR/submission_details.yml`` (team, short_title, even_shorter_identifier, authors,
contact), which the organisers' compliance check and aggregation read."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from signalfire.forecast.countries import month_label, window_months
from signalfire.forecast.inputs import ForecastError

OUR_MODEL = "qgbm"   # forecast_runs.model of our runs (forecast/runs.py); an imported VIEWS run is no submission of ours


def window_run(con, year: int) -> int:
    """Our model's forecast run for window ``year``: the newest with the challenge cut-off (October of the year
    before) whose horizons reach the window's last month; failing that, the newest made before the window that
    covers all its months.  Only runs of our model count: the newest run had been taken whatever made it (an
    imported VIEWS point forecast, one draw, was exported as our submission) and however far it reached (a
    3-month run wrote 1 of the window's 12 months, exit 0)."""
    cutoff, months = window_months(year)
    covers = "model = ? AND cutoff_month_id + horizons >= ?"
    row = con.execute(f"SELECT max(run_id) FROM forecast_runs WHERE cutoff_month_id = ? AND {covers}",
                      [cutoff, OUR_MODEL, months[-1]]).fetchone()
    if row[0] is None:
        row = con.execute(f"SELECT max(run_id) FROM forecast_runs WHERE cutoff_month_id < ? AND {covers}",
                          [months[0], OUR_MODEL, months[-1]]).fetchone()
    if row[0] is None:
        raise ForecastError(f"no stored forecast of our model ({OUR_MODEL}) covers window {year} "
                            f"({month_label(months[0])} to {month_label(months[-1])}): run `signalfire forecast "
                            f"run --cutoff {month_label(cutoff)}` first (14 months or more)")
    return int(row[0])


def check_folder(folder: Path) -> None:
    """Fail (ForecastError naming the path) before any work if files cannot be written in ``folder``, which need
    not exist yet: its nearest existing ancestor must be a folder one can write in (probed with a temporary file,
    which also catches what permission bits do not tell root, such as a read-only file system)."""
    folder = Path(folder)
    try:
        base = folder
        while not base.exists() and base.parent != base:
            base = base.parent
        if not base.is_dir():
            raise ForecastError(f"{folder} is a file, not a folder" if base == folder else
                                f"{folder}: {base} is a file, not a folder")
        with tempfile.TemporaryFile(dir=base):
            pass
    except OSError as exc:
        raise ForecastError(f"{folder}: cannot write there ({exc.strerror or exc})") from None


def export_window(con, year: int, out_dir: Path) -> Path:
    """Write the window's draws in the challenge layout; returns the parquet path."""
    from signalfire.forecast.store import draws_frame
    check_folder(out_dir)
    _, months = window_months(year)
    run_id = window_run(con, year)
    frame = draws_frame(con, run_id, months)
    path = Path(out_dir) / "cm" / f"window=Y{year}" / f"predictions_{year}.parquet"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(path, index=False)
    except OSError as exc:
        raise ForecastError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def submission_details(model_version: str, team: str = "signalfire", contact: str = "",
                       authors: list[str] | None = None) -> str:
    """The template's ``submission_details.yml`` (every value a quoted string: JSON strings are YAML).  The
    organisers' compliance check wants ``contact`` to be an e-mail address: without one the field is left empty
    and the export says so."""
    def q(value: str) -> str:
        return json.dumps(str(value), ensure_ascii=False)
    lines = [f"team: {q(team)}",
             f"short_title: {q(f'Signalfire {model_version}: quantile gradient boosting on deaths histories')}",
             f"even_shorter_identifier: {q(f'{team}_{model_version}'.replace('.', '_').replace('-', '_'))}",
             "authors:"]
    for name in authors or [team]:
        lines += [f"  - name: {q(name)}", f"    affil: {q(team)}"]
    lines.append(f"contact: {q(contact)}")
    return "\n".join(lines) + "\n"


def write_details(out_dir: Path, model_version: str, team: str = "signalfire", contact: str = "",
                  authors: list[str] | None = None) -> Path:
    path = Path(out_dir) / "submission_details.yml"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(submission_details(model_version, team, contact, authors), encoding="utf-8")
    except OSError as exc:
        raise ForecastError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
