"""The org chart imported from an HRIS export (`candor org import people.csv`): planned, then applied, all or
nothing.

`plan_import` reads the file (`org_csv`), matches it to the workspace's people by email and works out what
would change (`org_plan.ImportPlan`), refusing a file with any problem (every one listed, with its line) or
one that would make a cycle; it writes nothing. `apply_import` writes a plan under the org lock
(`org.lock_org`), refusing a plan made from a state that has changed since. Only flushes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from models.core.audit import record
from models.core.messages import _t
from models.core.tables import Person
from models.people.org import OrgError, lock_org
from models.people.org_csv import OPTIONAL_COLUMNS, ImportProblem, Row, parse
from models.people.org_plan import FieldChange, FieldValue, ImportPlan, ImportResult, ManagerChange

# How many problems `str(OrgImportError)` shows; `.problems` always has them all.
SHOWN_PROBLEMS = 50


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


def plan_import(session: Session, team_id: str, csv_text: str, *, remove_missing: bool = False) -> ImportPlan:
    """Validate an HRIS export and work out what it would change. Writes nothing.

    Incremental by default: people of the workspace who are not in the file keep their manager. With
    `remove_missing`, they lose it (listed in `removed`). Raises `OrgImportError` with every problem.
    Two queries whatever the file's size: the org lock and one load of the workspace's people.
    """
    rows, problems = parse(csv_text)
    if not rows:  # the header is unusable, or there is no data: nothing more to check
        raise OrgImportError(problems)

    lock_org(session, team_id)
    people = _team_members(session, team_id)
    by_id = {p.id: p for p in people}
    index = _email_index(people)

    first_line: dict[str, int] = {}
    chosen: dict[int, tuple[Row, _Member, _Member | None]] = {}  # person id → (row, person, new manager)
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
