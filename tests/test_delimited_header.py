"""A header whose names differ only in case (manytreaties has StateSignature and stateSignature) is a clear error
naming them, not DuckDB's 'Duplicate struct entry name' from deep inside the reader."""

from __future__ import annotations

import pytest

from signalfire.sources.base import SourceError
from signalfire.sources.delimited import read_records


def test_names_differing_only_in_case_are_a_clear_error(tmp_path):
    path = tmp_path / "case.csv"
    path.write_text("id,StateSignature,stateSignature\n1,a,b\n")
    with pytest.raises(SourceError, match=r"case.csv, line 1: duplicate column names \(compared without case\) "
                                          r"\['StateSignature', 'stateSignature'\]"):
        list(read_records(path, delim=","))
