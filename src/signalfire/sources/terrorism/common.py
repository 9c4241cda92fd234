"""What the GTD country-year adapters share: reading a small long or wide CSV into ``country_year`` values."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Batch
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.migration.common import long_values, merge_batches
from signalfire.sources.validate import Checker, require_columns

LICENCE = ("Global Terrorism Database, National Consortium for the Study of Terrorism and Responses to Terrorism "
           "(START), University of Maryland. Non-commercial use; no redistribution of the data.")


def read_country_year(path: Path, required: list[str], hint: str, measures: dict[str, str],
                      keys: Callable[[Checker], pd.DataFrame]) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    checked = False
    for records, rejects in read_records(path, delim=delim):
        if not checked:
            require_columns(path, list(records.columns), required, hint)
            checked = True
        if records.empty:
            yield merge_batches(Batch(pd.DataFrame(columns=["record_ref"])), rejects)
            continue
        chk = Checker(records, path, delim=delim)
        yield merge_batches(long_values(path, chk, keys(chk), measures), rejects)
