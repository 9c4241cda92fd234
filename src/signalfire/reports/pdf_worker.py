"""Render one HTML file to an A4 PDF with WeasyPrint, in a process of its own:
``python -m signalfire.reports.pdf_worker IN.html OUT.pdf`` (exit code 0 when written)."""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from weasyprint import HTML
    source, out = Path(argv[0]), Path(argv[1])
    HTML(filename=str(source), base_url=str(Path(__file__).resolve().parent)).write_pdf(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
