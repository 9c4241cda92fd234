"""Reading delimited text exactly as producers publish it: CSV/TSV, plain, gzipped or zipped, UTF-8 or not.

:func:`read_records` streams a file as chunks of string columns with a ``record_ref`` per record and a
quarantine frame for records that do not parse (wrong number of fields, unterminated quotes, oversized
fields).  DuckDB's CSV reader does the parsing (it is the fastest reader here, and its rejects table gives
the line and the error of every record it could not read); nothing is converted to numbers or dates here,
that is each adapter's job.

Files that are not valid UTF-8 (Excel re-saves with latin-1 bytes) are transcoded line by line to a
temporary UTF-8 file first: each line is decoded as UTF-8 if it can be, else as Windows-1252.
"""

from __future__ import annotations

import codecs
import gzip
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from signalfire.sources.base import SourceError, quarantine_frame

CHUNK_ROWS = 250_000
MAX_LINE_BYTES = 4_000_000


@contextmanager
def plain_file(path: Path) -> Iterator[Path]:
    """Yield a path to the file's text: zip members are extracted, invalid UTF-8 is transcoded."""
    with _plain(path) as (plain, _cr):
        yield plain


# A carriage return inside a field that is not part of a line end makes DuckDB's reader split or refuse the
# record.  The row path reads such a file with each of those carriage returns replaced by this character (a
# noncharacter, absent from the file: checked) and puts them back in the fields it returns.
CR_STANDIN = "\ufdd0"


@contextmanager
def _plain(path: Path, fix_cr: bool = False) -> Iterator[tuple[Path, bool]]:
    """(path to the file's text, whether its bare carriage returns were replaced by CR_STANDIN)."""
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    with tempfile.TemporaryDirectory(prefix="signalfire-") as tmp:
        current = path
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if not m.endswith("/")]
                if len(members) != 1:
                    raise SourceError(f"{path}: expected one file in the zip archive, found {len(members)}")
                target = Path(tmp) / Path(members[0]).name
                with zf.open(members[0]) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                current = target
        if not _is_utf8(current):
            target = Path(tmp) / "utf8.txt"
            _transcode(current, target)
            current = target
        replaced = False
        if fix_cr and bare_carriage_return(current):
            target = Path(tmp) / "cr.txt"
            replaced = _replace_bare_cr(current, target)
            current = target if replaced else current
        yield current, replaced


_BARE_CR = re.compile(rb"\r(?!\n)")


def bare_carriage_return(path: Path) -> bool:
    """Whether the file has a carriage return that does not end a line (\\r\\n) and lines ending with \\n (a
    file without any \\n uses \\r as its line end).  Reads at memory speed when there is no \\r at all."""
    seen_lf = found = False
    try:
        with _open_bytes(Path(path)) as fh:
            tail = b""
            while block := fh.read(1 << 23):
                seen_lf = seen_lf or b"\n" in block
                if not found and (tail or b"\r" in block):
                    data = tail + block
                    tail = b"\r" if data.endswith(b"\r") else b""   # its \n may open the next block
                    found = _BARE_CR.search(data[:-1] if tail else data) is not None
                if found and seen_lf:
                    return True
            found = found or tail == b"\r"
    except (OSError, EOFError):
        return False
    return found and seen_lf


def _replace_bare_cr(src: Path, dst: Path) -> bool:
    """Copy with bare carriage returns as CR_STANDIN; False (nothing written) if the file holds CR_STANDIN."""
    mark = CR_STANDIN.encode()
    with _open_bytes(src) as fin:
        tail = b""
        while block := fin.read(1 << 23):
            if mark in tail + block:
                return False
            tail = block[-2:]
    with _open_bytes(src) as fin, open(dst, "wb") as fout:
        carry = b""
        while block := fin.read(1 << 23):
            data = carry + block
            carry = b"\r" if data.endswith(b"\r") else b""
            fout.write(_BARE_CR.sub(mark, data[:-1] if carry else data))
        if carry:
            fout.write(mark)
    return True


def _open_bytes(path: Path):
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def _is_utf8(path: Path) -> bool:
    """Whether the whole file is valid UTF-8.  ASCII blocks are skipped at memory speed; the others are validated
    in place by Arrow (no copy, no Python strings), with Python's decoder as the arbiter when Arrow objects.  A
    multi-byte sequence cut by the end of a block is carried into the next.  (The 5M-row bench files, warm page
    cache: 1.15-1.18 s for GED's 3.3 GB, where Arrow's cast of a copy took 1.49-1.56 s and Python's incremental
    decoder 4.9-5.3 s; commit 815d654.)"""
    carry = b""
    try:
        with _open_bytes(path) as fh:
            while block := fh.read(1 << 23):
                if not carry and block.isascii():
                    continue
                data = carry + block if carry else block
                cut = _complete_prefix(data)
                carry = data[cut:]
                if not _valid_utf8(memoryview(data)[:cut]):
                    return False
            return _valid_utf8(memoryview(carry))
    except (OSError, EOFError) as exc:
        raise SourceError(f"{path}: cannot read the file ({exc})") from None


def _complete_prefix(data: bytes) -> int:
    """Length of ``data`` without its last multi-byte UTF-8 sequence if that may be incomplete (it is carried)."""
    i = len(data) - 1
    back = 0
    while i >= 0 and back < 3 and 0x80 <= data[i] <= 0xBF:
        i -= 1
        back += 1
    if i >= 0 and data[i] >= 0xC0:
        return i
    return len(data)


def _valid_utf8(view: memoryview) -> bool:
    if not len(view):
        return True
    import pyarrow as pa_
    offsets = pa_.array([0, len(view)], type=pa_.int32()).buffers()[1]
    try:
        pa_.Array.from_buffers(pa_.string(), 1, [None, offsets, pa_.py_buffer(view)]).validate(full=True)
        return True
    except pa_.ArrowInvalid:     # Python's decoder decides
        try:
            codecs.decode(bytes(view), "utf-8")
            return True
        except UnicodeDecodeError:
            return False


def _transcode(src: Path, dst: Path) -> None:
    with _open_bytes(src) as fin, open(dst, "w", encoding="utf-8", newline="") as fout:
        for line in fin:
            try:
                fout.write(line.decode("utf-8"))
            except UnicodeDecodeError:
                fout.write(line.decode("cp1252", errors="replace"))


def first_line(path: Path) -> str:
    """The file's first line as text (zips: of the single member), decoded as :func:`plain_file` would (UTF-8,
    else Windows-1252), without reading or transcoding the rest of the file."""
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if not m.endswith("/")]
                if len(members) != 1:
                    raise SourceError(f"{path}: expected one file in the zip archive, found {len(members)}")
                with zf.open(members[0]) as fh:
                    head = fh.read(2)
                with zf.open(members[0]) as raw:
                    fh = gzip.GzipFile(fileobj=raw) if head == b"\x1f\x8b" else raw
                    line = fh.readline(MAX_LINE_BYTES)
        else:
            with _open_bytes(path) as fh:
                line = fh.readline(MAX_LINE_BYTES)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise SourceError(f"{path}: cannot read the file ({exc})") from None
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def sniff_delimiter(path: Path, candidates: str = ",;\t|") -> str:
    """The delimiter that splits the first line into the most fields."""
    first = first_line(path)
    if not first.strip():
        raise SourceError(f"{path}: the file is empty" if not first else f"{path}: line 1 (the header) is empty")
    counts = {d: first.count(d) for d in candidates}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        raise SourceError(f"{path}: line 1 has no field delimiter (tried {', '.join(map(repr, candidates))})")
    return best


def duplicate_names_error(path: Path, names: list[str]) -> SourceError:
    """The error for a header with repeated names, saying so when line 1 looks like data (a headerless file, such
    as GDELT's, given to a source whose files have a header)."""
    folded = [n.casefold() for n in names]          # DuckDB's column names ignore case
    dupes = sorted({n for n, f in zip(names, folded) if folded.count(f) > 1})
    numeric = sum(n.strip().lstrip("-").replace(".", "", 1).isdigit() for n in names)
    hint = ("; line 1 looks like data, not a header: is this a file of this source?"
            if numeric >= 0.3 * len(names) else "")
    return SourceError(f"{Path(path).name}, line 1: duplicate column names (compared without case) {dupes[:5]}"
                       + (" …" if len(dupes) > 5 else "") + hint)


def header_names(path: Path, delim: str) -> list[str]:
    import csv
    first = first_line(path).lstrip("\ufeff").rstrip("\r\n")   # Excel's "CSV UTF-8" starts with a byte-order mark
    try:
        return next(csv.reader([first], delimiter=delim))
    except csv.Error as exc:  # e.g. a stray carriage return inside the header
        raise SourceError(f"{Path(path).name}, line 1: cannot read the header ({exc})") from None


def read_records(path: Path, *, delim: str, header: bool = True, names: list[str] | None = None,
                 chunk_rows: int = CHUNK_ROWS, quote: str = '"') -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Stream (records, quarantine) chunks.  Records are all strings ('' for empty) plus ``record_ref``.

    ``record_ref`` is ``"line N"``: the 1-based place of the record in the file (the header is 1), records DuckDB
    rejects counted too.  N counts records, not lines: where a quoted field holds line breaks (UCDP GED's CSV has
    some) the record's first line in an editor is further down (docs/SCHEMA.md; DuckDB's rejects count the same way).
    """
    path = Path(path)
    with _plain(path, fix_cr=True) as (plain, cr), tempfile.TemporaryDirectory(prefix="signalfire-spill-") as spill:
        con = duckdb.connect()
        con.execute(f"SET temp_directory = '{spill}'")
        options = dict(delim=delim, header=header, all_varchar=True, quote=quote, escape=quote,  # noqa: C408
                       store_rejects=True, rejects_table="rej", rejects_scan="rej_scan",
                       max_line_size=MAX_LINE_BYTES, auto_detect=False, null_padding=False,
                       strict_mode=True, parallel=True)
        if names is None:
            if not header:
                raise ValueError("headerless files need names")
            names = header_names(path, delim)
        if len({n.casefold() for n in names}) != len(names):
            raise duplicate_names_error(path, names)
        columns = ", ".join(f"'{n.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for n in names)
        opts = ", ".join(f"{k}={_sql_value(v)}" for k, v in options.items())
        # Pass 1 parses the whole file once to count records and collect DuckDB's rejects (line and error of
        # every record it cannot read); pass 2 streams the accepted records, skipping the same lines.  Two
        # parses cost less than materialising the file in a temporary table and keep memory flat.
        try:
            total = con.execute(f"SELECT count(*) FROM read_csv(?, columns={{{columns}}}, {opts})",
                                [str(plain)]).fetchall()[0][0]   # fetchall: the rejects land at the end
        except duckdb.Error as exc:
            raise SourceError(f"{path}: cannot read as delimited text ({str(exc).splitlines()[0]})") from None
        rejects = _rejects(con, path, names)
        if cr and len(rejects):
            rejects["raw"] = rejects["raw"].astype(str).str.replace(CR_STANDIN, "\r", regex=False)
        reject_lines = sorted({int(r) for r in rejects["line"]}) if len(rejects) else []
        offset = 1 if header else 0
        # the i-th accepted record sits on the i-th line that DuckDB did not reject
        gaps = np.array(reject_lines, dtype=np.int64) - np.arange(len(reject_lines)) - (1 + offset)
        stream_options = {k: v for k, v in options.items() if k not in ("store_rejects", "rejects_table",
                                                                          "rejects_scan")}
        stream_options["ignore_errors"] = True
        stream_opts = ", ".join(f"{k}={_sql_value(v)}" for k, v in stream_options.items())
        # NULL (empty field) becomes '' in DuckDB, so the records arrive as plain strings
        select = ", ".join(f"coalesce(\"{_ident(n)}\", '') AS \"{_ident(n)}\"" for n in names)
        try:
            reader = _arrow_reader(con.execute(
                f"SELECT {select} FROM read_csv(?, columns={{{columns}}}, {stream_opts})", [str(plain)]),
                chunk_rows)
        except duckdb.Error as exc:
            raise SourceError(f"{path}: cannot read as delimited text ({str(exc).splitlines()[0]})") from None
        seen = 0
        emitted_rejects = False
        pending: list = []
        pending_rows = 0
        batches = iter(reader)
        while True:
            batch = next(batches, None)
            if batch is not None and len(batch) == 0:
                continue
            if batch is not None:
                pending.append(batch)
                pending_rows += len(batch)
                if pending_rows < chunk_rows:
                    continue
            if not pending:
                break
            table = pa.Table.from_batches(pending).to_pandas()
            table.columns = names
            if cr:
                table = table.apply(lambda c: c.str.replace(CR_STANDIN, "\r", regex=False))
            pending, pending_rows = [], 0
            idx = np.arange(seen, seen + len(table), dtype=np.int64)
            lines = idx + 1 + offset + np.searchsorted(gaps, idx, side="right")
            seen += len(table)
            table.insert(0, "record_ref", _line_refs(lines))
            q = rejects.drop(columns=["line"]) if not emitted_rejects else quarantine_frame()
            emitted_rejects = True
            yield table, q
            if batch is None:
                break
        if not emitted_rejects:
            yield pd.DataFrame(columns=["record_ref", *names]), rejects.drop(columns=["line"])
        if seen != total:
            raise SourceError(f"{path}: read {seen} records but counted {total}; the file changed while read?")
        con.close()


def _ident(name: str) -> str:
    return name.replace('"', '""')


def _arrow_reader(result, batch_rows: int):
    fetch = getattr(result, "to_arrow_reader", None) or result.fetch_record_batch
    return fetch(batch_rows)


def _line_refs(lines: np.ndarray) -> np.ndarray:
    """``"line N"`` for each line number, as an object array of str."""
    return np.char.add("line ", lines.astype("U20")).astype(object)


def _sql_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def _rejects(con, path: Path, names: list[str], table: str = "rej") -> pd.DataFrame:
    rows = con.execute(
        f"SELECT line, column_idx, column_name, error_type, csv_line, error_message FROM {table} ORDER BY line"
    ).fetchall()
    out = []
    seen_lines = set()
    for line, col_idx, col_name, err_type, csv_line, message in rows:
        if line in seen_lines:
            continue  # one quarantine record per line, with its first error
        seen_lines.add(line)
        what = {"TOO MANY COLUMNS": f"too many fields (expected {len(names)})",
                "MISSING COLUMNS": f"too few fields (expected {len(names)})",
                "UNQUOTED VALUE": "unterminated or stray quote",
                "LINE SIZE OVER MAXIMUM": f"line longer than {MAX_LINE_BYTES} bytes",
                "INVALID UNICODE": "invalid text encoding"}.get(str(err_type), str(message).splitlines()[0])
        out.append({"line": int(line), "record_ref": f"line {line}",
                    "column_name": col_name if err_type not in ("TOO MANY COLUMNS", "MISSING COLUMNS") else None,
                    "raw": csv_line or "", "reason": f"{path.name}, line {line}: {what}"})
    frame = quarantine_frame(out)
    frame["line"] = [r["line"] for r in out]
    return frame
