"""A header whose names differ only in case (manytreaties has StateSignature and stateSignature) is a clear error
naming them, not DuckDB's 'Duplicate struct entry name' from deep inside the reader.  And the check that decides
whether a file is transcoded (valid UTF-8 or not) agrees with Python's decoder, across its 8 MB blocks."""

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


BLOCK = 1 << 23     # delimited._is_utf8 reads 8 MB blocks


@pytest.mark.parametrize("content, valid", [
    (b"a,b\n1,2\n", True),
    ("zażółć,gęślą\n".encode(), True),
    (b"x" * (BLOCK - 1) + "ż".encode() + b"\n", True),      # a sequence split between two blocks
    ("café".encode("cp1252"), False),
    (b"abc" + "ż".encode()[:1], False),                     # cut at the end of the file
    (b"\xed\xa0\x80", False),                               # a surrogate
    (b"\xc0\xaf", False),                                   # an overlong '/'
    (b"x" * BLOCK + b"\xff", False),                         # bad only in the second block, after an ASCII one
])
def test_utf8_check_agrees_with_pythons_decoder(tmp_path, content, valid):
    from signalfire.sources.delimited import _is_utf8
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    assert _is_utf8(path) is valid
    try:
        content.decode("utf-8")
        assert valid
    except UnicodeDecodeError:
        assert not valid
