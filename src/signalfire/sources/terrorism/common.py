"""What the GTD country-year adapters share: reading a small long or wide CSV into ``country_year`` values."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Batch
from signalfire.sources.delimited import sniff_delimiter
from signalfire.sources.migration.common import long_values, merge_batches
from signalfire.sources.validate import Checker, checked_records

LICENCE = ("Global Terrorism Database, National Consortium for the Study of Terrorism and Responses to Terrorism "
           "(START), University of Maryland. Non-commercial use; no redistribution of the data.")


def read_country_year(path: Path, required: list[str], hint: str, measures: dict[str, str],
                      keys: Callable[[Checker], pd.DataFrame]) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    for records, rejects in checked_records(path, required, hint, delim=delim):
        if records.empty:
            yield merge_batches(Batch(pd.DataFrame(columns=["record_ref"])), rejects)
            continue
        chk = Checker(records, path, delim=delim)
        yield merge_batches(long_values(path, chk, keys(chk), measures), rejects)
