"""Build ``src/signalfire/sources/data/cameo.csv`` (CAMEO event code -> description) from GDELT's code table.

Input: GDELT's ``CAMEO.eventcodes.txt`` (tab-separated ``CAMEOEVENTCODE``, ``EVENTDESCRIPTION``), by default
``../shared/data/gdelt/CAMEO.eventcodes.txt``.  Lines whose code is a single digit (quad-class headings some
copies of the file carry) are not CAMEO event codes and are left out.  CAMEO: Schrodt (2012), used by GDELT.

    python scripts/build_cameo.py [CAMEO.eventcodes.txt]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT.parent / "shared" / "data" / "gdelt" / "CAMEO.eventcodes.txt"
DST = ROOT / "src" / "signalfire" / "sources" / "data" / "cameo.csv"


def main(src: Path = SRC) -> None:
    rows = {}
    with open(src, encoding="utf-8-sig", newline="") as fh:
        for line in fh:
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) != 2 or not parts[0].isdigit() or len(parts[0]) < 2:
                continue
            code, text = parts[0], " ".join(parts[1].split())
            rows[code] = text
    DST.parent.mkdir(parents=True, exist_ok=True)
    with open(DST, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["code", "description"])
        for code in sorted(rows):
            out.writerow([code, rows[code]])
    print(f"{DST}: {len(rows)} CAMEO codes")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SRC)
