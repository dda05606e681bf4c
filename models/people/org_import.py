"""The org chart: who reports to whom, imported from an HRIS export or set by HR admins.

Managers are derived: a manager is anyone with (active) reports; there is no manager flag. The chart is
`Person.manager_id`. Every change goes through this module so that the chart never gets a cycle, never
points at a deactivated person and never crosses workspaces:

- `plan_import` / `apply_import`: the CSV import (`candor org import people.csv`), all-or-nothing;
- `set_manager`: one change (HR-admin modal, CLI);
- `manager_chain`, `reports`, `is_manager`, `is_in_chain`: one recursive query each, whatever the depth.

Writers take a per-workspace org lock first (see `lock_org`), so two concurrent changes cannot each pass
the cycle check and together make a cycle. Nothing here commits: functions only flush.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from typing import Any, Literal, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from models.core.audit import record
from models.core.messages import _t
from models.core.tables import Person
from models.people.org import OrgError, lock_org

REQUIRED_COLUMNS = ("email", "manager_email")
MAX_TEXT = 200  # Person.department / Person.title are String(200)
# How many problems `str(OrgImportError)` shows; `.problems` always has them all.
SHOWN_PROBLEMS = 50

FieldName = Literal["department", "title", "start_date"]
FieldValue = str | date | None
OPTIONAL_COLUMNS: tuple[FieldName, ...] = ("department", "title", "start_date")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# What no stored text may hold, and what every terminal display escapes (`bot.cli.printable`): the C0 and C1
# controls and DEL (Unicode category Cc, tabs and newlines included), which make terminal escape sequences, and
# the bidirectional embeddings, overrides and isolates, which reorder what is displayed ("Trojan source").
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The cells checked for them: every text the import stores, and the emails it looks people up by (and echoes).
_CHECKED_COLUMNS = ("email", "manager_email", "department", "title")
_NONE = "(none)"


# -- errors ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an import file. `line` is the file's line (the header is line 1)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class OrgImportError(OrgError):
    """The import file has problems; nothing was changed. `problems` holds every one, sorted by line; `str()`
    is the summary and the first `SHOWN_PROBLEMS` of them, one per line."""

    def __init__(self, problems: Iterable[ImportProblem]) -> None:
        self.problems: list[ImportProblem] = sorted(problems, key=lambda p: p.line)
        count = len(self.problems)
        super().__init__(_t("the import file has {count} problem; nothing was changed") if count == 1 else
                         _t("the import file has {count} problems; nothing was changed"), code="import", count=count)

    def __str__(self) -> str:
        shown = [str(p) for p in self.problems[:SHOWN_PROBLEMS]]
        if len(self.problems) > SHOWN_PROBLEMS:
            shown.append(f"... and {len(self.problems) - SHOWN_PROBLEMS} more")
        return "\n".join([super().__str__(), *shown])


# -- the plan --------------------------------------------------------------------------------------


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


# -- import ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int
    email: str  # lower-case
    manager_email: str  # lower-case; "" = top of the chart
    # None = keep the current value (column absent or cell empty).
    department: str | None
    title: str | None
    start_date: date | None


def plan_import(session: Session, team_id: str, csv_text: str, *, remove_missing: bool = False) -> ImportPlan:
    """Validate an HRIS export and work out what it would change. Writes nothing.

    Incremental by default: people of the workspace who are not in the file keep their manager. With
    `remove_missing`, they lose it (listed in `removed`). Raises `OrgImportError` with every problem.
    Two queries whatever the file's size: the org lock and one load of the workspace's people.
    """
    rows, problems = _parse(csv_text)
    if not rows:  # the header is unusable, or there is no data: nothing more to check
        raise OrgImportError(problems)

    lock_org(session, team_id)
    people = _team_members(session, team_id)
    by_id = {p.id: p for p in people}
    index = _email_index(people)

    first_line: dict[str, int] = {}
    chosen: dict[int, tuple[_Row, _Member, _Member | None]] = {}  # person id → (row, person, new manager)
    for row in rows:
        if row.email in first_line:
            problems.append(
                ImportProblem(row.line, f"duplicate row for {row.email}: lines {first_line[row.email]} and {row.line}")
            )
        else:
            first_line[row.email] = row.line
        person, problem = _resolve(index, row.email, manager=False)
        if problem:
            problems.append(ImportProblem(row.line, problem))
        manager: _Member | None = None
        if row.manager_email == row.email:
            problems.append(ImportProblem(row.line, f"{row.email} is their own manager"))
        elif row.manager_email:
            manager, problem = _resolve(index, row.manager_email, manager=True)
            if problem:
                problems.append(ImportProblem(row.line, problem))
        if person is not None and person.id not in chosen:
            chosen[person.id] = (row, person, manager)

    # The chart as it would be after the import: rows from the file, everyone else as they are (or
    # without a manager when remove_missing). A cycle may run through people who are not in the file.
    parent: dict[int, int | None] = {}
    for p in people:
        if p.id in chosen:
            new_manager = chosen[p.id][2]
            parent[p.id] = new_manager.id if new_manager is not None else None
        else:
            parent[p.id] = None if remove_missing else p.manager_id
    for cycle in _cycles(parent):
        in_file = [pid for pid in cycle if pid in chosen]
        if not in_file:
            continue  # an old cycle this file neither makes nor touches; the queries are guarded against it
        start = min(in_file, key=lambda pid: chosen[pid][0].line)
        at = cycle.index(start)
        ordered = cycle[at:] + cycle[:at] + [start]
        steps = []
        for i, pid in enumerate(ordered):
            who = _who(by_id[pid])
            if i == len(ordered) - 1:
                steps.append(who)
            elif pid in chosen:
                steps.append(f"{who} (line {chosen[pid][0].line})")
            else:
                steps.append(f"{who} (not in the file: keeps their current manager)")
        problems.append(ImportProblem(chosen[start][0].line, "manager cycle: " + " → ".join(steps)))

    if problems:
        raise OrgImportError(problems)

    added: list[ManagerChange] = []
    moved: list[ManagerChange] = []
    removed: list[ManagerChange] = []
    field_changes: list[FieldChange] = []
    buckets = {"added": added, "moved": moved, "removed": removed}

    def manager_change(line: int | None, person: _Member, new: _Member | None) -> None:
        old = by_id.get(person.manager_id) if person.manager_id is not None else None
        change = ManagerChange(
            line=line,
            person_id=person.id,
            email=_who(person),
            before_id=person.manager_id,
            before=(_who(old) if old is not None else f"person #{person.manager_id}")
            if person.manager_id is not None
            else None,
            after_id=new.id if new is not None else None,
            after=_who(new) if new is not None else None,
        )
        buckets[change.kind].append(change)

    for row, person, new_manager in sorted(chosen.values(), key=lambda c: c[0].line):
        if person.manager_id != (new_manager.id if new_manager is not None else None):
            manager_change(row.line, person, new_manager)
        for name in OPTIONAL_COLUMNS:
            value: FieldValue = getattr(row, name)
            current: FieldValue = getattr(person, name)
            if value is not None and value != current:
                field_changes.append(FieldChange(row.line, person.id, row.email, name, current, value))
    if remove_missing:
        for person in sorted(people, key=lambda p: (_who(p), p.id)):
            if person.id not in chosen and person.manager_id is not None:
                manager_change(None, person, None)

    return ImportPlan(
        team_id=team_id,
        rows=len(rows),
        remove_missing=remove_missing,
        added=tuple(added),
        moved=tuple(moved),
        removed=tuple(removed),
        field_changes=tuple(field_changes),
        fingerprint=_fingerprint(people),
    )


def apply_import(session: Session, plan: ImportPlan, *, actor: str) -> ImportResult:
    """Write a plan's changes and one `org.import` audit entry (with the counts). Only flushes.

    An empty plan writes nothing (no audit entry either). Raises `OrgError` when the workspace's people
    changed since the plan was made (plan again).
    """
    counts = plan.counts()
    result = ImportResult(**counts)
    if plan.is_empty:
        return result
    lock_org(session, plan.team_id)
    if _fingerprint(_team_members(session, plan.team_id)) != plan.fingerprint:
        raise OrgError(_t("the people or the org chart changed after this import was planned: plan it again"),
                       code="stale_plan")
    values: dict[int, dict[str, Any]] = {}
    for change in plan.manager_changes:
        values.setdefault(change.person_id, {"id": change.person_id})["manager_id"] = change.after_id
    for f in plan.field_changes:
        values.setdefault(f.person_id, {"id": f.person_id})[f.field] = f.after
    # One bulk UPDATE by primary key (executemany, grouped by the columns that change; updated_at is set too).
    session.execute(update(Person), list(values.values()))
    for person_id in values:  # objects this session already holds reload on next use
        if (held := session.identity_map.get(identity_key(Person, person_id))) is not None:
            session.expire(held)
    record(
        session,
        actor=actor,
        action="org.import",
        team_id=plan.team_id,
        details={**counts, "remove_missing": plan.remove_missing},
    )
    return result


def _parse(csv_text: str) -> tuple[list[_Row], list[ImportProblem]]:
    """Rows with their (first) line numbers, and the problems found without the database."""
    problems: list[ImportProblem] = []
    if csv_text.startswith("\ufeff"):
        csv_text = csv_text[1:]
    reader = csv.reader(io.StringIO(csv_text, newline=""), strict=True)  # a stray quote is an error
    records: list[tuple[int, list[str]]] = []
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(ImportProblem(start, f"cannot read the CSV: {exc}"))
            break
        if any(c.strip() for c in cells):  # blank lines are skipped
            records.append((start, cells))
        start = reader.line_num + 1

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

    rows: list[_Row] = []
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
                _Row(
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


def _email_index(people: Iterable[_Member]) -> dict[str, list[_Member]]:
    index: dict[str, list[_Member]] = {}
    for p in people:
        if p.email:
            index.setdefault(p.email.lower(), []).append(p)
    return index


def _resolve(index: dict[str, list[_Member]], email: str, *, manager: bool) -> tuple[_Member | None, str | None]:
    """The person with this email, and the problem with using them (None when there is none).

    An active person wins over deactivated ones with the same email (a re-created Slack account).
    """
    label = f"manager {email}" if manager else email
    candidates = index.get(email, [])
    if not candidates:
        return None, f"unknown {'manager' if manager else 'email'} {email}: no one in this workspace has this email"
    live = [p for p in candidates if not p.is_deleted and p.erased_at is None]
    if len(live) > 1:
        return None, f"{label} is ambiguous: {len(live)} people in this workspace have this email"
    if live:
        return live[0], (f"{label} is a bot" if live[0].is_bot else None)
    person = candidates[0]
    return person, f"{label} has been erased" if person.erased_at is not None else f"{label} is deactivated"


def _cycles(parent: dict[int, int | None]) -> list[list[int]]:
    """Every cycle in a who-reports-to-whom map, each listed once, in manager direction. O(people)."""
    state: dict[int, int] = {}  # 1: on the walk in progress, 2: finished
    cycles: list[list[int]] = []
    for start in parent:
        if start in state:
            continue
        path: list[int] = []
        node: int | None = start
        while node is not None and node not in state:
            state[node] = 1
            path.append(node)
            node = parent.get(node)
        if node is not None and state[node] == 1:
            cycles.append(path[path.index(node) :])
        for n in path:
            state[n] = 2
    return cycles


def _fingerprint(people: Iterable[_Member]) -> str:
    digest = hashlib.sha256()
    for p in sorted(people, key=lambda p: p.id):
        state = (
            p.id,
            p.email,
            p.manager_id,
            p.department,
            p.title,
            p.start_date,
            p.is_deleted,
            p.is_bot,
            p.erased_at is None,
        )
        digest.update(repr(state).encode())
    return digest.hexdigest()


def _who(person: _Member | Person) -> str:
    return person.email or person.slack_user_id


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _show(value: FieldValue) -> str:
    if value is None:
        return _NONE
    if isinstance(value, date):
        return value.isoformat()
    return f'"{value}"'


# -- one change ------------------------------------------------------------------------------------


# -- queries ---------------------------------------------------------------------------------------


# -- locking and loading ---------------------------------------------------------------------------


class _Member(NamedTuple):
    """What the import needs to know about one person: plain columns, much cheaper than ORM objects."""

    id: int
    slack_user_id: str
    email: str | None
    manager_id: int | None
    department: str | None
    title: str | None
    start_date: date | None
    is_deleted: bool
    is_bot: bool
    erased_at: datetime | None


def _team_members(session: Session, team_id: str) -> list[_Member]:
    """Everyone in the workspace, in one query (flushing the session first, as any query does)."""
    columns = [getattr(Person, name) for name in _Member._fields]
    return [_Member(*row) for row in session.execute(select(*columns).where(Person.team_id == team_id))]
