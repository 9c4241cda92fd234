"""Build src/signalfire/geo/data/names_<lang>.csv (iso3, name): country names in other languages, from the Unicode
CLDR names that the countrycode project compiles (``cldr.short.<lang>``, else ``cldr.name.<lang>``).

    python scripts/build_country_names.py ../shared/data/geo/countrycode_codelist.csv.gz pl
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "src" / "signalfire" / "geo" / "data"


def main(codelist: str, lang: str) -> None:
    frame = pd.read_csv(codelist, low_memory=False, keep_default_na=False, na_values=[""])
    names = frame[f"cldr.short.{lang}"].fillna(frame[f"cldr.name.{lang}"])
    out = pd.DataFrame({"iso3": frame["iso3c"], "name": names}).dropna().drop_duplicates("iso3").sort_values("iso3")
    path = OUT / f"names_{lang}.csv"
    out.to_csv(path, index=False)
    print(f"wrote {len(out)} names to {path}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "pl")
