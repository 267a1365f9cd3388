"""Plain-text, CSV and JSON renderings of rows of records (for the CLI)."""

from __future__ import annotations

import csv
import io
import json
from typing import Mapping, Sequence

__all__ = ["render_rows"]


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def render_rows(rows: Sequence[Mapping], columns: Sequence[str], fmt: str) -> str:
    """``rows`` as an aligned text table, CSV (header first) or a JSON list."""
    if fmt == "json":
        return json.dumps(list(rows), indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
        return out.getvalue()
    table = [list(columns)] + [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() + "\n"
        for line in table
    )
