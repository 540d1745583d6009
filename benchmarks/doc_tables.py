"""The docs' measured tables: each script writes its table between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``.

`write_table` is the one writer of those blocks (``benchmarks/accuracy.py``,
``engines.py``, ``make_tables.py``, ``tracking.py``, ``video_fps.py``); the
pages under ``docs/`` hold the markers, and the docs build reads them there.
"""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def write_table(page: str, name: str, text: str) -> Path:
    """Replace the block `name` of ``docs/<page>`` with `text` (its markers kept); returns the page's path."""
    path = DOCS / page
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    content = path.read_text(encoding="utf-8")
    if start not in content or end not in content:
        raise SystemExit(f"{path} has no {start} ... {end} block")
    head, rest = content.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{text.strip(chr(10))}\n{end}{tail}", encoding="utf-8")
    return path
