"""Goals imported from a CSV file (`candor goals import goals.csv`): a quarter's organisation and department
goals, and people's goals if the file has them, planned and then applied, all or nothing.

`plan_goal_import` reads the file, checks every line against the directory and the goals already in the
workspace, and works out what it would create; it writes nothing, and refuses a file with any problem
(`GoalImportError`, every problem with its line and column). `apply_goal_import` writes a plan and one
`goals.import` audit entry. Only flushes: the caller's unit of work commits, so a plan and its application in
one unit of work are one transaction.

**The operator path.** `rules.create_goal` decides what a Slack member may do: only HR admins set
organisation goals, managers set their own department's, a goal's parent must be visible to its author. The
operator at the command line is nobody in the directory and stands above those rules, as for the org import
(`candor org import` writes the chart whoever its managers are): an organisation goal may be owned by a
leader who is not an HR admin, a department goal by the department's head wherever the directory files them.
So this module writes `Goal`, `KeyResult` and `GoalUpdate` rows itself, after the checks `create_goal` makes
of the goal itself, with the same validators (`check_key_results`, `goal_period`, the text limits, the
visibility and level values, an active owner, an active parent). `created_by` is empty (the operator has no
person row; the audit log names them) and the first history entry's source is "import".

**Once.** Each line's goal has `source_key = "import:<digest of the file>:<key>"`, so importing the same file
again creates nothing (each line says so). A line whose goal is already in the workspace under another file
(same level, owner, period and title, e.g. the file was corrected and imported again) is not created twice
either: it is reported and left as it is. The import never changes an existing goal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.core.audit import record
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.csv_lines import read_records
from models.core.messages import _t
from models.core.tables import Person
from models.core.text import CONTROL_CHARACTERS
from models.goals.periods import Period
from models.goals.progress import goal_progress
from models.goals.rules import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    GoalError,
    KeyResultDraft,
    check_key_results,
    check_text,  # the text limits create_goal applies
    goal_period,
    make_slug,
)
from models.goals.tables import LEVELS, VISIBILITIES, Goal, GoalUpdate, KeyResult
from models.goals.text import parse_key_result

KR_COLUMNS = tuple(f"kr{i}" for i in range(1, 11))  # goals.max_key_results is at most 10
REQUIRED_COLUMNS = ("key", "level", "title", "owner")
OPTIONAL_COLUMNS = ("description", "department", "period", "parent", "visibility")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS + KR_COLUMNS
KEY_MAX = 100
DEPARTMENT_MAX = 200  # Goal.department
LEVEL_NAMES = {"organisation": "organisation", "organization": "organisation", "department": "department",
               "person": "person"}
AUDIT_ACTION = "goals.import"
# How many problems `str(GoalImportError)` shows; `.problems` always has them all.
SHOWN_PROBLEMS = 50


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with a goals file: its line (the header is line 1) and the column, when it is one cell's."""

    line: int
    message: str
    column: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.message}"


class GoalImportError(GoalError):
    """The goals file has problems; nothing was imported. `problems` holds every one, sorted by line; `str()` is
    the summary and the first `SHOWN_PROBLEMS` of them, one per line."""

    def __init__(self, problems: Iterable[ImportProblem]) -> None:
        self.problems: list[ImportProblem] = sorted(problems, key=lambda p: p.line)
        count = len(self.problems)
        super().__init__(_t("the goals file has {count} problem; nothing was imported") if count == 1 else
                         _t("the goals file has {count} problems; nothing was imported"), code="import", count=count)

    def __str__(self) -> str:
        shown = [str(p) for p in self.problems[:SHOWN_PROBLEMS]]
        if len(self.problems) > SHOWN_PROBLEMS:
            shown.append(f"... and {len(self.problems) - SHOWN_PROBLEMS} more")
        return "\n".join([super().__str__(), *shown])


@dataclass(frozen=True)
class PlannedGoal:
    """One line of the file, checked: the goal it creates, or the goal already in the workspace (`existing_id`)."""

    line: int
    key: str
    level: str
    title: str
    description: str
    owner_id: int
    owner: str  # the owner as the file named them, for messages
    department: str | None
    period: Period
    visibility: str
    parent_key: str | None  # a goal of this file (an earlier line)
    parent_id: int | None  # a goal already in the workspace
    parent: str | None  # the parent as the file named it
    key_results: tuple[KeyResultDraft, ...]
    source_key: str
    existing_id: int | None = None
    existing_from_file: bool = False  # imported before from this very file (else: the same goal, made otherwise)

    def describe(self) -> str:
        where = f"{self.department}, {self.period.key}" if self.department and self.level != "person" \
            else self.period.key
        if self.existing_id is not None:
            how = "imported before from this file" if self.existing_from_file else "already in Candor"
            return f'line {self.line}: {self.key}: {how} as goal #{self.existing_id} "{self.title}"; not created again'
        aligned = f", aligned with {self.parent}" if self.parent else ""
        krs = len(self.key_results)
        return (f'line {self.line}: {self.key}: new {self.level} goal "{self.title}" ({where}), owner {self.owner}, '
                f"{krs} key result{'' if krs == 1 else 's'}, {self.visibility}{aligned}")


@dataclass(frozen=True)
class GoalImportPlan:
    team_id: str
    digest: str  # of the file's text, in every goal's source_key
    rows: tuple[PlannedGoal, ...]
    warnings: tuple[str, ...] = ()

    @property
    def new(self) -> tuple[PlannedGoal, ...]:
        return tuple(r for r in self.rows if r.existing_id is None)

    @property
    def is_empty(self) -> bool:
        return not self.new

    def describe(self) -> list[str]:
        return [r.describe() for r in self.rows] + [f"warning: {w}" for w in self.warnings]

    def summary(self) -> str:
        existing = len(self.rows) - len(self.new)
        levels = {level: sum(1 for r in self.new if r.level == level) for level in LEVELS}
        parts = ", ".join(f"{n} {level}" for level, n in levels.items() if n)
        return (f"{len(self.rows)} rows: {len(self.new)} new goals" + (f" ({parts})" if parts else "")
                + f", {existing} already in Candor")


@dataclass(frozen=True)
class GoalImportResult:
    rows: int
    created: tuple[int, ...]  # goal ids, in the file's order
    existing: int

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": len(self.created), "already_there": self.existing}


# -- the file ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    line: int
    cells: dict[str, str]  # column → trimmed cell ("" when empty or absent)


def normalise(csv_text: str) -> str:
    """The file's text as the import reads it, and digests it: without a byte-order mark, with \\n newlines."""
    if csv_text.startswith("\ufeff"):
        csv_text = csv_text[1:]
    return csv_text.replace("\r\n", "\n").replace("\r", "\n")


def digest_of(csv_text: str) -> str:
    return hashlib.sha256(normalise(csv_text).encode("utf-8")).hexdigest()[:16]


def _read(csv_text: str) -> tuple[list[_Line], list[ImportProblem]]:
    """The data lines with their (first) line numbers, or none and the problems of the header or the quoting."""
    problems: list[ImportProblem] = []
    records, failure = read_records(normalise(csv_text))
    if failure is not None:
        problems.append(ImportProblem(*failure))
    if not records:
        if not problems:
            problems.append(ImportProblem(1, "the file is empty: expected a header row "
                                             f"({', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}, kr1, kr2, …)"))
        return [], problems
    header_line, header = records[0]
    columns: dict[str, int] = {}
    for pos, raw in enumerate(header):
        name = raw.strip().lower()
        if not name:
            if any(pos < len(cells) and cells[pos].strip() for _line, cells in records[1:]):
                problems.append(ImportProblem(header_line, f"column {pos + 1} has values but no name in the header"))
            continue
        if name not in COLUMNS:
            known = ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
            message = f'unknown column "{name}": the columns are {known} and kr1…kr10'
            problems.append(ImportProblem(header_line, message))
        elif name in columns:
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
    lines = []
    for line, cells in records[1:]:
        values = {name: cells[pos].strip() if pos < len(cells) else "" for name, pos in columns.items()}
        lines.append(_Line(line, {name: values.get(name, "") for name in COLUMNS}))
    return lines, problems


def _control_character(text: str, *, newlines: bool = False) -> str | None:
    """The first control character in `text` as `U+001B` (newlines allowed where `newlines`), or None."""
    for found in CONTROL_CHARACTERS.finditer(text):
        if newlines and found[0] == "\n":
            continue
        return f"U+{ord(found[0]):04X}"
    return None


# -- planning ------------------------------------------------------------------------------------------------


def plan_goal_import(session: Session, org: OrgConfig, team_id: str, csv_text: str, *,
                     today: date | None = None) -> GoalImportPlan:
    """Check a goals file and work out what importing it would create. Writes nothing.

    `today` (default: the clock's) decides the period of lines without one. Raises `GoalImportError` with every
    problem. A handful of queries whatever the file's size: the workspace's people once, the goals the file
    names as parents, the goals already imported from it, the goals of its periods, the owners' goal counts.
    """
    today = today or clock_of(session).now().date()
    lines, problems = _read(csv_text)
    if not lines:
        raise GoalImportError(problems)
    digest = digest_of(csv_text)
    people = list(session.scalars(select(Person).where(Person.team_id == team_id)))
    by_slack_id: dict[str, list[Person]] = {}
    by_email: dict[str, list[Person]] = {}
    for p in people:
        by_slack_id.setdefault(p.slack_user_id.upper(), []).append(p)
        if p.email:
            by_email.setdefault(p.email.lower(), []).append(p)
    departments = {(p.department or "").strip().lower() for p in people if p.active and p.department}

    key_lines: dict[str, int] = {}  # key → its (first) line
    parent_of: dict[str, str] = {}  # key → the parent cell, for cycles
    for item in lines:
        key = item.cells["key"]
        if key and key not in key_lines:
            key_lines[key] = item.line
        if key and item.cells["parent"]:
            parent_of.setdefault(key, item.cells["parent"])
    slugs = {item.cells["parent"].lstrip("+").lower() for item in lines
             if item.cells["parent"] and item.cells["parent"] not in key_lines}
    named_parents = {g.slug: g for g in session.scalars(
        select(Goal).where(Goal.team_id == team_id, Goal.slug.in_(sorted(slugs))))} if slugs else {}
    source_keys = [f"import:{digest}:{k}" for k in key_lines]
    imported = {g.source_key: g for g in session.scalars(
        select(Goal).where(Goal.team_id == team_id, Goal.source_key.in_(source_keys)))} if source_keys else {}

    drafts: list[PlannedGoal] = []
    seen: dict[str, PlannedGoal] = {}
    for item in lines:
        planned = _plan_line(item, org, today, digest, problems, by_slack_id=by_slack_id, by_email=by_email,
                             key_lines=key_lines, parent_of=parent_of, seen=seen, named_parents=named_parents)
        if planned is not None:
            drafts.append(planned)
            seen.setdefault(planned.key, planned)
    if problems:
        raise GoalImportError(problems)

    rows = _mark_existing(session, team_id, drafts, imported)
    # A new goal aligned with a line whose goal is already in Candor: that goal must still be active.
    existing = [r.existing_id for r in rows if r.existing_id is not None]
    states = {row.id: row.state for row in session.execute(
        select(Goal.id, Goal.state).where(Goal.id.in_(existing)))} if existing else {}
    by_key = {r.key: r for r in rows}
    for r in rows:
        parent = by_key.get(r.parent_key) if r.parent_key else None
        if r.existing_id is None and parent is not None and parent.existing_id is not None \
                and states.get(parent.existing_id) != "active":
            problems.append(ImportProblem(r.line, f'{r.parent} (line {parent.line}) is goal #{parent.existing_id}, '
                                                  "which is closed: align with an active goal", "parent"))
    if problems:
        raise GoalImportError(problems)
    return GoalImportPlan(team_id=team_id, digest=digest, rows=tuple(rows),
                          warnings=tuple(_warnings(session, org, rows, departments)))


def _plan_line(item: _Line, org: OrgConfig, today: date, digest: str, problems: list[ImportProblem], *,
               by_slack_id: dict[str, list[Person]], by_email: dict[str, list[Person]],
               key_lines: dict[str, int], parent_of: dict[str, str], seen: dict[str, PlannedGoal],
               named_parents: dict[str, Goal]) -> PlannedGoal | None:
    """The line's goal, or None after adding its problems (every one it has, each on its column)."""
    line, cells = item.line, item.cells
    before = len(problems)

    def problem(column: str | None, message: str) -> None:
        problems.append(ImportProblem(line, message, column))

    for name in COLUMNS:
        if (found := _control_character(cells[name], newlines=name == "description")) is not None:
            problem(name, f"contains a control character ({found}); remove it")
    if len(problems) > before:
        return None  # a cell with an escape sequence is not echoed in further messages

    key = cells["key"]
    if not key:
        problem("key", "the key is empty: give each line a reference, such as company-1")
    elif len(key) > KEY_MAX:
        problem("key", f"a key is at most {KEY_MAX} characters")
    elif key_lines[key] != line:
        problem("key", f'"{key}" is already the key of line {key_lines[key]}')

    level = LEVEL_NAMES.get(cells["level"].lower())
    if level is None:
        problem("level", f'"{cells["level"]}" is not a level: write organisation, department or person'
                if cells["level"] else "the level is empty: write organisation, department or person")

    title = description = ""
    try:
        title = check_text(cells["title"], TITLE_MAX, "title", required=True)
    except GoalError as err:
        problem("title", str(err))
    try:
        description = check_text(cells["description"], DESCRIPTION_MAX, "description")
    except GoalError as err:
        problem("description", str(err))

    owner = _owner(cells["owner"], by_slack_id, by_email, lambda message: problem("owner", message))

    department: str | None = cells["department"] or None
    if level == "organisation" and department:
        problem("department", "an organisation goal belongs to no department: leave the cell empty")
    if level == "department" and department is None and owner is not None:
        department = (owner.department or "").strip() or None
        if department is None:
            problem("department", f"name the department: {cells['owner']} has none in the directory")
    if department is not None and len(department) > DEPARTMENT_MAX:
        problem("department", f"a department is at most {DEPARTMENT_MAX} characters")
        department = None

    period: Period | None = None
    try:
        period = goal_period(org, cells["period"] or None, today)
    except GoalError as err:
        problem("period", str(err))

    visibility = cells["visibility"].lower() or org.goals.default_visibility
    if visibility not in VISIBILITIES:
        problem("visibility", f'"{cells["visibility"]}" is not a visibility: write public or private')

    parent_key, parent_id = _parent(key, cells["parent"], line, key_lines, parent_of, seen, named_parents,
                                    lambda message: problem("parent", message))

    key_results = _key_results(cells, org, problem)

    if len(problems) > before or level is None or owner is None or period is None:
        return None
    return PlannedGoal(line=line, key=key, level=level, title=title, description=description, owner_id=owner.id,
                       owner=cells["owner"], department=department, period=period, visibility=visibility,
                       parent_key=parent_key, parent_id=parent_id, parent=cells["parent"] or None,
                       key_results=key_results, source_key=f"import:{digest}:{key}")


def _owner(who: str, by_slack_id: dict[str, list[Person]], by_email: dict[str, list[Person]],
           problem: Callable[[str], None]) -> Person | None:
    """The person a cell names (Slack id or email): an active member of the workspace, else None (and why)."""
    if not who:
        problem("the owner is empty: write their Slack id (U…) or email")
        return None
    found = by_email.get(who.lower(), []) if "@" in who else by_slack_id.get(who.upper(), [])
    if not found:
        problem(f"nobody in the directory is {who}")
        return None
    live = [p for p in found if p.active]
    if len(live) > 1:
        problem(f"{who} is ambiguous: {len(live)} people in the directory have this email; use the Slack id")
        return None
    if live:
        return live[0]
    person = found[0]
    if person.erased_at is not None:
        problem(f"{who} has been erased")
    elif person.is_bot:
        problem(f"{who} is a bot")
    else:
        problem(f"{who} is deactivated and can't own a goal")
    return None


def _parent(key: str, parent: str, line: int, key_lines: dict[str, int], parent_of: dict[str, str],
            seen: dict[str, PlannedGoal], named_parents: dict[str, Goal],
            problem: Callable[[str], None]) -> tuple[str | None, int | None]:
    """(a key of this file, an existing goal's id) for the parent cell; (None, None) when it is empty or wrong.

    A key of the file wins over a goal's name. A parent must come on an earlier line, so a file's goals can be
    created top-down; a key further down is refused, and named as a cycle when following parents from there
    comes back to this line."""
    if not parent:
        return None, None
    if parent in key_lines:
        if parent == key:
            problem("a goal can't be its own parent")
        elif key_lines[parent] >= line:
            chain = _cycle(key, parent_of, key_lines)
            if chain is not None:
                problem("parent cycle: " + " → ".join(f"{k} (line {key_lines[k]})" for k in chain)
                        + f" → {key}")
            else:
                problem(f"{parent} is on a later line ({key_lines[parent]}): put a parent above the goals aligned "
                        "with it")
        elif parent in seen:
            return parent, None
        # else: the parent's line has problems, reported on that line (and nothing is imported)
        return None, None
    goal = named_parents.get(parent.lstrip("+").lower())
    if goal is None:
        problem(f'no goal "{parent}": neither a key on an earlier line nor the name of a goal in Candor '
                "(`candor goals list` shows their names)")
        return None, None
    if not goal.active:
        problem(f'goal "{goal.slug}" (#{goal.id}) is closed: align with an active goal')
        return None, None
    return None, goal.id


def _cycle(key: str, parent_of: dict[str, str], key_lines: dict[str, int]) -> list[str] | None:
    """The keys from `key` following parents in the file back to `key`, or None when they do not come back."""
    chain = [key]
    node = parent_of.get(key)
    while node is not None and node in key_lines:
        if node == key:
            return chain
        if node in chain:
            return None  # a loop further up that does not pass through `key`: reported on its own lines
        chain.append(node)
        node = parent_of.get(node)
    return None


def _key_results(cells: dict[str, str], org: OrgConfig,
                 problem: Callable[[str, str], None]) -> tuple[KeyResultDraft, ...]:
    drafts: list[KeyResultDraft] = []
    columns: list[str] = []
    for column in KR_COLUMNS:
        if not cells[column]:
            continue
        try:
            drafts.append(parse_key_result(cells[column], field=column))
            columns.append(column)
        except GoalError as err:
            problem(column, str(err))
    try:
        return tuple(check_key_results(drafts, org))
    except GoalError as err:
        index = err.field.removeprefix("kr_")
        column = columns[int(index)] if index.isdigit() and int(index) < len(columns) else "key results"
        problem(column, str(err))
        return ()


def _mark_existing(session: Session, team_id: str, drafts: list[PlannedGoal],
                   imported: dict[str, Goal]) -> list[PlannedGoal]:
    """The drafts, each marked with the goal already in the workspace for it: imported from this file before,
    or with the same level, owner, period and title (and department, for a department's goal)."""
    periods = {d.period.key for d in drafts}
    same: dict[tuple[str, int, str, str, str], int] = {}
    for g in session.execute(select(Goal.id, Goal.level, Goal.owner_id, Goal.period, Goal.title, Goal.department)
                             .where(Goal.team_id == team_id, Goal.period.in_(periods)).order_by(Goal.id)):
        same.setdefault((g.level, g.owner_id, g.period, g.title.lower(), (g.department or "").lower()), g.id)
    rows = []
    for d in drafts:
        if (goal := imported.get(d.source_key)) is not None:
            rows.append(_with(d, existing_id=goal.id, existing_from_file=True))
        elif (found := same.get((d.level, d.owner_id, d.period.key, d.title.lower(),
                                 (d.department or "").lower()))) is not None:
            rows.append(_with(d, existing_id=found, existing_from_file=False))
        else:
            rows.append(d)
    return rows


def _with(d: PlannedGoal, **changes: Any) -> PlannedGoal:
    return replace(d, **changes)


def _warnings(session: Session, org: OrgConfig, rows: list[PlannedGoal], departments: set[str]) -> list[str]:
    """What is worth a second look but refuses nothing: a person over the soft limit of active goals after the
    import, a department goal for a department nobody in the directory is in."""
    warnings: list[str] = []
    new = [r for r in rows if r.existing_id is None]
    owners = {r.owner_id for r in new if r.level == "person"}
    counts: dict[int, int] = {}
    if owners:
        counts = {owner: n for owner, n in session.execute(
            select(Goal.owner_id, func.count()).where(Goal.owner_id.in_(owners), Goal.level == "person",
                                                      Goal.state == "active").group_by(Goal.owner_id))}
    limit = org.goals.soft_limit_active
    for owner in sorted(owners, key=lambda o: min(r.line for r in new if r.owner_id == o)):
        mine = [r for r in new if r.owner_id == owner and r.level == "person"]
        total = counts.get(owner, 0) + len(mine)
        if total > limit:
            warnings.append(f"line {mine[-1].line}: {mine[-1].owner} will have {total} active goals, more than the "
                            f"soft limit of {limit} (goals.soft_limit_active)")
    for r in new:
        if r.level == "department" and r.department and r.department.lower() not in departments:
            warnings.append(f'line {r.line}: nobody in the directory is in department "{r.department}" (yet)')
    return warnings


# -- applying ------------------------------------------------------------------------------------------------


def apply_goal_import(session: Session, plan: GoalImportPlan, *, actor: str,
                      now: datetime | None = None) -> GoalImportResult:
    """Create the plan's new goals, top-down, with their key results and a first history entry each, and record
    one `goals.import` audit entry. Only flushes. A plan with nothing new writes nothing (no audit entry)."""
    now = now or clock_of(session).now()
    ids: dict[str, int] = {}
    created: list[int] = []
    for row in plan.rows:
        if row.existing_id is not None:
            ids[row.key] = row.existing_id
            continue
        parent_id = ids[row.parent_key] if row.parent_key is not None else row.parent_id
        goal = Goal(team_id=plan.team_id, level=row.level, owner_id=row.owner_id, department=row.department,
                    created_by_id=None, parent_id=parent_id, title=row.title,
                    slug=make_slug(session, plan.team_id, row.title), description=row.description,
                    period=row.period.key, starts_on=row.period.starts_on, ends_on=row.period.ends_on,
                    visibility=row.visibility, last_update_at=now, source_key=row.source_key, created_at=now,
                    key_results=[KeyResult(position=i, title=kr.title, kind=kr.kind, start_value=kr.start,
                                           target_value=kr.target, unit=kr.unit, weight=kr.weight,
                                           current_value=kr.current if kr.current is not None else kr.start)
                                 for i, kr in enumerate(row.key_results)])
        session.add(goal)
        session.flush()
        session.add(GoalUpdate(goal=goal, author_id=None, created_at=now, source="import",
                               source_key=row.source_key, progress=goal_progress(goal),
                               values={str(kr.id): kr.current_value for kr in goal.key_results}))
        ids[row.key] = goal.id
        created.append(goal.id)
    session.flush()
    result = GoalImportResult(rows=len(plan.rows), created=tuple(created), existing=len(plan.rows) - len(created))
    if created:
        record(session, actor=actor, action=AUDIT_ACTION, team_id=plan.team_id,
               details={**result.as_dict(), "digest": plan.digest})
    return result
