"""Text from the data, made inert for a terminal: control characters (C0, DEL, C1) and the bidirectional overrides
and isolates are shown escaped (``\\x1b``, ``\\u202e``), never sent.  A source's ``\\x1b[31m`` would recolour or
rewrite the screen, ``\\x1b]0;…\\x07`` retitle the window, U+202E reverse the text shown.  Used by the CLI's tables
and messages (:func:`signalfire.cli.shown`, :func:`signalfire.cli.plain`) and by an export written to a terminal."""

from __future__ import annotations

UNSAFE = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7f, 0xa0))}
UNSAFE.update({c: f"\\u{c:04x}" for c in (*range(0x202a, 0x202f), *range(0x2066, 0x206a), 0x200e, 0x200f, 0x061c)})
UNSAFE_KEEPING_LINES = {c: e for c, e in UNSAFE.items() if c not in (0x09, 0x0a)}   # a message keeps its lines


def inert(text: str, keep_lines: bool = False) -> str:
    """``text`` with every unsafe character escaped; with ``keep_lines`` line breaks and tabs stay."""
    return text.translate(UNSAFE_KEEPING_LINES if keep_lines else UNSAFE)
