"""An org import's plan: what it would change (`ImportPlan`, made by `org_import.plan_import`) and what it did
(`ImportResult`)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import Literal

from models.people.org_csv import FieldName

FieldValue = str | date | None
_NONE = "(none)"


@dataclass(frozen=True)
class ManagerChange:
    """A person's manager changes. `line` is None for a person not in the file (`remove_missing`)."""

    line: int | None
    person_id: int
    email: str
    before_id: int | None
    before: str | None  # the current manager's email (Slack id when they have none)
    after_id: int | None
    after: str | None

    @property
    def kind(self) -> Literal["added", "moved", "removed"]:
        if self.before_id is None:
            return "added"
        return "removed" if self.after_id is None else "moved"

    def describe(self) -> str:
        where = f"line {self.line}" if self.line is not None else "not in the file"
        return f"{where}: {self.email}: manager {self.before or _NONE} → {self.after or _NONE}"


@dataclass(frozen=True)
class FieldChange:
    """A person's department, title or start date changes."""

    line: int
    person_id: int
    email: str
    field: FieldName
    before: FieldValue
    after: FieldValue

    def describe(self) -> str:
        return f"line {self.line}: {self.email}: {self.field} {_show(self.before)} → {_show(self.after)}"


@dataclass(frozen=True)
class ImportPlan:
    """What an import would change. Made by `plan_import`, written by `apply_import`."""

    team_id: str
    rows: int  # data rows read
    remove_missing: bool
    added: tuple[ManagerChange, ...]  # had no manager, gets one
    moved: tuple[ManagerChange, ...]  # manager X → manager Y
    removed: tuple[ManagerChange, ...]  # loses their manager (empty manager_email, or remove_missing)
    field_changes: tuple[FieldChange, ...]
    # The state of the workspace's people the plan was computed from; `apply_import` refuses a stale plan.
    fingerprint: str = dc_field(repr=False, compare=False)

    @property
    def manager_changes(self) -> tuple[ManagerChange, ...]:
        return self.added + self.moved + self.removed

    @property
    def is_empty(self) -> bool:
        return not (self.manager_changes or self.field_changes)

    @property
    def people_changed(self) -> int:
        return len({c.person_id for c in self.manager_changes} | {c.person_id for c in self.field_changes})

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "managers_added": len(self.added),
            "managers_moved": len(self.moved),
            "managers_removed": len(self.removed),
            "field_changes": len(self.field_changes),
            "people_changed": self.people_changed,
        }

    def summary(self) -> str:
        rows = _count(self.rows, "row", "rows")
        if self.is_empty:
            return f"{rows}: no changes"
        return (
            f"{rows}: {_count(len(self.added), 'manager', 'managers')} added, {len(self.moved)} moved, "
            f"{len(self.removed)} removed, {_count(len(self.field_changes), 'field change', 'field changes')} "
            f"({_count(self.people_changed, 'person', 'people')})"
        )

    def describe(self) -> list[str]:
        """One line per change (file order; people not in the file last), then the summary line."""
        changes: list[tuple[tuple[int, str, int], str]] = []
        for c in self.manager_changes:
            changes.append(((c.line if c.line is not None else 1 << 62, c.email, 0), c.describe()))
        for i, f in enumerate(self.field_changes, start=1):
            changes.append(((f.line, f.email, i), f.describe()))
        return [text for _key, text in sorted(changes)] + [self.summary()]


@dataclass(frozen=True)
class ImportResult:
    rows: int
    managers_added: int
    managers_moved: int
    managers_removed: int
    field_changes: int
    people_changed: int

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "managers_added": self.managers_added,
            "managers_moved": self.managers_moved,
            "managers_removed": self.managers_removed,
            "field_changes": self.field_changes,
            "people_changed": self.people_changed,
        }


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _show(value: FieldValue) -> str:
    if value is None:
        return _NONE
    if isinstance(value, date):
        return value.isoformat()
    return f'"{value}"'
