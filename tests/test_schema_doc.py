"""docs/SCHEMA.md names every column of the canonical schema, so the documentation cannot drift silently."""

from __future__ import annotations

import re
from pathlib import Path

from signalfire.store import schema

DOCS = Path(__file__).resolve().parents[1] / "docs"
# docs/SCHEMA.md, then each stream's docs/schema/<stream>.md
DOC = "\n".join(p.read_text() for p in [DOCS / "SCHEMA.md", *sorted((DOCS / "schema").glob("*.md"))])


def _section(title: str) -> str:
    match = re.search(rf"^##+ {title}\n(.*?)(?=^## |\Z)", DOC, flags=re.DOTALL | re.MULTILINE)
    assert match, f"docs/SCHEMA.md has no section {title}"
    return match.group(1)


def test_every_table_column_is_documented():
    for table, columns in {**schema.ADAPTER_TABLES, "quarantine": schema.QUARANTINE_COLUMNS}.items():
        text = _section(table)
        missing = [c for c in columns if f"`{c}`" not in text]
        assert not missing, f"{table}: undocumented columns {missing}"


def test_trace_columns_and_categories_documented():
    for column in schema.TRACE_COLUMNS:
        assert f"`{column}`" in DOC
    for category in schema.CATEGORIES:
        assert f"`{category}`" in DOC
