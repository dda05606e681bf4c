"""Reading an import file (the org chart, a quarter's goals) as CSV records with their line numbers."""

from __future__ import annotations

import csv
import io


def read_records(csv_text: str) -> tuple[list[tuple[int, list[str]]], tuple[int, str] | None]:
    """The non-blank records of a CSV text, each with the line it starts on (a quoted cell may span lines),
    and the first problem reading it, if any: (line, "cannot read the CSV: …"). A byte-order mark is ignored
    and a stray quote is an error, not a silently merged cell."""
    if csv_text.startswith("\ufeff"):
        csv_text = csv_text[1:]
    reader = csv.reader(io.StringIO(csv_text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return records, None
        except csv.Error as exc:
            return records, (start, f"cannot read the CSV: {exc}")
        if any(c.strip() for c in cells):  # blank lines are skipped
            records.append((start, cells))
        start = reader.line_num + 1
