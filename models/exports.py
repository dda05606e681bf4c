"""The performance-data export: one row per person over a period, for the programs that depend on performance
data (compensation, promotion, talent reviews). `candor export` and the HR admin's button in Slack build it.

Columns: who the person is (`BASE_COLUMNS`), then every feature's (`models.features.export_specs()`, in their
order): recognition, check-ins, 1:1s, goals, feedback. `docs/exports.md` is the data dictionary: each column's
meaning, source and privacy rule, generated from the same registry (`data_dictionary`), so it cannot drift.

Rows: active, non-bot people of the workspace (erased people are gone: their rows would name them; what they
wrote stays only in the aggregates of others' rows), sorted by name. Nothing here shows what anyone wrote, and
nothing reads a pulse answer. Each export is audited (`record_export`: who, the period, the format and the
number of rows; never the data).

CSV cells are safe to open in a spreadsheet: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
return is prefixed with `'`, so it is read as text, never as a formula; numbers are written as plain numbers.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from models.core.audit import record
from models.core.config import OrgConfig
from models.core.exports import ExportColumn, ExportPeriod, ExportValue
from models.core.tables import Person, active_person
from models.features import export_specs

EXPORT_ACTION = "performance.export"
FORMATS = ("csv", "json")
_PERSON = "people (Slack directory, HRIS import)"
_WHO = "Identifies the person to the HR systems the file is for; HR admins see the directory anyway."
BASE_COLUMNS = (
    ExportColumn("period", "The export's period (2026-Q4, 2026-H2, 2026, 2026-11), in HR's time zone",
                 "the export's request", "None: the same in every row."),
    ExportColumn("slack_id", "The person's Slack member id", _PERSON, _WHO),
    ExportColumn("name", "The person's name as Slack shows it", _PERSON, _WHO),
    ExportColumn("email", "The person's email address", _PERSON, _WHO),
    ExportColumn("department", "The person's department", _PERSON, _WHO),
    ExportColumn("manager", "The person's manager's name (empty at the top of the chart)", _PERSON, _WHO),
    ExportColumn("manager_slack_id", "The manager's Slack member id", _PERSON, _WHO),
)


@dataclass(frozen=True)
class Export:
    period: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, ExportValue], ...]


def all_columns() -> tuple[ExportColumn, ...]:
    """Every column of the registry, as the data dictionary lists them (a family once, by its pattern)."""
    return BASE_COLUMNS + tuple(c for spec in export_specs() for c in spec.columns)


def column_names(org: OrgConfig) -> tuple[str, ...]:
    return tuple(c.name for c in BASE_COLUMNS) + tuple(n for spec in export_specs() for n in spec.column_names(org))


def row_count(session: Session, team_id: str) -> int:
    """How many rows an export of the workspace has now (one statement): for the audit entry of an export built
    later (the Slack file is built when it is sent)."""
    return int(session.scalar(select(func.count()).select_from(Person)
                              .where(Person.team_id == team_id, *active_person(Person))) or 0)


def build_export(session: Session, org: OrgConfig, team_id: str, period: ExportPeriod) -> Export:
    """The export of `period` for the workspace: a fixed number of statements per feature, whatever its size."""
    manager = aliased(Person)
    people = session.execute(
        select(Person, manager.display_name, manager.real_name, manager.name, manager.slack_user_id)
        .outerjoin(manager, (manager.id == Person.manager_id) & manager.erased_at.is_(None))
        .where(Person.team_id == team_id, *active_person(Person))).all()
    rows: dict[int, dict[str, ExportValue]] = {}
    for p, display_name, real_name, name, manager_slack_id in sorted(
            people, key=lambda r: (r[0].label.casefold(), r[0].slack_user_id)):
        rows[p.id] = {"period": period.label, "slack_id": p.slack_user_id, "name": p.label, "email": p.email,
                      "department": p.department,
                      "manager": (display_name or real_name or name or manager_slack_id) if manager_slack_id else None,
                      "manager_slack_id": manager_slack_id}
    for spec in export_specs():
        values = spec.fn(session, org, team_id, period.start, period.end)
        for column in spec.columns:
            for name in column.expand(org):
                for person_id, row in rows.items():
                    row[name] = values.get(person_id, {}).get(name, column.default)
    return Export(period.label, column_names(org), tuple(rows.values()))


# -- formats ----------------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: ExportValue) -> str | int | float:
    """A cell a spreadsheet reads as data: numbers as numbers, text that could start a formula behind `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(export: Export) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(c) for c in export.columns])
    for row in export.rows:
        writer.writerow([csv_cell(row.get(c)) for c in export.columns])
    return out.getvalue()


def to_json(export: Export) -> str:
    return json.dumps({"period": export.period, "columns": list(export.columns),
                       "rows": [{c: row.get(c) for c in export.columns} for row in export.rows]},
                      indent=2, ensure_ascii=False)


def render(export: Export, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return to_csv(export) if fmt == "csv" else to_json(export)


def record_export(session: Session, *, actor: str, team_id: str, period: ExportPeriod, fmt: str, rows: int | None,
                  delivery: str) -> None:
    """The audit entry of an export: who, the period, the format, the rows (None: counted when it is sent) and
    where it went; never the data. Only flushes."""
    record(session, actor=actor, action=EXPORT_ACTION, team_id=team_id, subject=period.label,
           details={"period": period.label, "start": period.start.isoformat(), "end": period.end.isoformat(),
                    "format": fmt, "rows": rows, "delivery": delivery})


def data_dictionary() -> str:
    """docs/exports.md's table of columns, from the registry (`tests/test_exports.py` keeps the file in step)."""
    lines = ["| Column | Meaning | Source | Privacy |", "|---|---|---|---|"]
    for c in all_columns():
        cells = [f"`{c.name}`", c.meaning, c.source, c.privacy]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
