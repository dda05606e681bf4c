"""Reading an HRIS export (CSV): the header, one row per person, and every problem the file has on its own,
each with its line number. Nothing here looks at the database (`org_import` does)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from models.core.csv_lines import read_records
from models.core.text import CONTROL_CHARACTERS

REQUIRED_COLUMNS = ("email", "manager_email")
MAX_TEXT = 200  # Person.department / Person.title are String(200)

FieldName = Literal["department", "title", "start_date"]
OPTIONAL_COLUMNS: tuple[FieldName, ...] = ("department", "title", "start_date")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The cells checked for control characters: every text the import stores, and the emails it looks people up by
# (and echoes).
_CHECKED_COLUMNS = ("email", "manager_email", "department", "title")


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an import file. `line` is the file's line (the header is line 1)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Row:
    line: int
    email: str  # lower-case
    manager_email: str  # lower-case; "" = top of the chart
    # None = keep the current value (column absent or cell empty).
    department: str | None
    title: str | None
    start_date: date | None


def parse(csv_text: str) -> tuple[list[Row], list[ImportProblem]]:
    """Rows with their (first) line numbers, and the problems found without the database."""
    problems: list[ImportProblem] = []
    records, failure = read_records(csv_text)
    if failure is not None:
        problems.append(ImportProblem(*failure))

    if not records:
        if not problems:
            expected = ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
            problems.append(ImportProblem(1, f"the file is empty: expected a header row ({expected})"))
        return [], problems
    header_line, header = records[0]
    columns: dict[str, int] = {}
    for pos, raw in enumerate(header):
        name = raw.strip().lower()
        if name in columns and name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            problems.append(ImportProblem(header_line, f'column "{name}" appears more than once'))
        columns.setdefault(name, pos)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        problems.append(ImportProblem(header_line, f"missing required column{plural}: {', '.join(missing)}"))
    if problems:
        return [], problems
    if len(records) == 1:
        return [], [ImportProblem(header_line, "no data rows: the file has only a header")]

    def cell(cells: list[str], name: str) -> str:
        pos = columns.get(name)
        return cells[pos].strip() if pos is not None and pos < len(cells) else ""

    rows: list[Row] = []
    for line, cells in records[1:]:
        email = cell(cells, "email").lower()
        if not email:
            problems.append(ImportProblem(line, "email is empty"))
        controls = [(name, found) for name in _CHECKED_COLUMNS if (found := _control_character(cell(cells, name)))]
        for name, found in controls:
            problems.append(ImportProblem(line, f"{name} contains a control character ({found}); remove it"))
        texts: dict[str, str | None] = {}
        for name in ("department", "title"):
            value = cell(cells, name)
            if len(value) > MAX_TEXT:
                problems.append(ImportProblem(line, f"{name} is longer than {MAX_TEXT} characters"))
            texts[name] = value or None
        raw_date = cell(cells, "start_date")
        start_date: date | None = None
        if raw_date:
            try:
                if not _ISO_DATE.fullmatch(raw_date):
                    raise ValueError(raw_date)
                start_date = date.fromisoformat(raw_date)
            except ValueError:
                problems.append(ImportProblem(line, f'bad start_date "{raw_date}": expected a date as YYYY-MM-DD'))
        # A row with a control character in an email is not looked up: "unknown email ..." would echo it.
        if email and not any(name.endswith("email") for name, _found in controls):
            rows.append(
                Row(
                    line=line,
                    email=email,
                    manager_email=cell(cells, "manager_email").lower(),
                    department=texts["department"],
                    title=texts["title"],
                    start_date=start_date,
                )
            )
    if not rows and not problems:
        problems.append(ImportProblem(header_line, "no data rows: the file has only a header"))
    return rows, problems


def _control_character(text: str) -> str | None:
    """The first control character in `text` as `U+001B`, or None when it has none."""
    found = CONTROL_CHARACTERS.search(text)
    return f"U+{ord(found[0]):04X}" if found else None
