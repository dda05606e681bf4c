"""Goals: who may create and update which, what a valid goal and update are, and the alignment queries.

- **Create.** Anyone sets their own goals; a manager sets goals for anyone in their reporting chain and for
  their own department; HR admins set any goal, and only they set the organisation's. A parent is a goal
  the author may see, in the same workspace, still active. Beyond `goals.soft_limit_active` active goals a
  person gets a gentle warning, not a refusal; the hard limits (text lengths, key results per goal) are
  refusals with a clear message on the field.
- **Update.** The owner, anyone in the owner's manager chain and HR admins record progress: a value per key
  result (or the goal's own progress when it has none), a status (or "let Candor suggest") and a comment.
  Every update is a `GoalUpdate` in the goal's history; a double submit records one (`source_key`).
- **Close out.** When its period ends the owner records a final score and what was learned, and closes the
  goal or carries it over into the next period (a copy with the same key results and current values).
- **Alignment.** `ancestors` and `descendants` are one recursive query each.

Every function only flushes; the caller's unit of work commits.
"""

from __future__ import annotations

import math
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload

from models import access
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.messages import DomainError, _t
from models.core.tables import Person
from models.core.text import is_blank, visible_length
from models.core.zones import zone_of
from models.goals.periods import Period, next_period, parse_period, period_containing
from models.goals.progress import STATUSES_SET, goal_progress
from models.goals.tables import Goal, GoalUpdate, KeyResult
from models.people import report_ids

TITLE_MAX = 150
DESCRIPTION_MAX = 2000
KR_TITLE_MAX = 150
UNIT_MAX = 20
COMMENT_MAX = 1000
LESSONS_MAX = 2000
VALUE_MAX = 1e12
ID_MAX = 2**31 - 1  # ids are 32-bit integers: a larger number (a forged button value) names no goal

TOO_LONG = _t("At most {max} characters (you wrote {length}).")
NOT_FOUND = _t("That goal doesn't exist or isn't visible to you.")


class GoalError(DomainError):
    """A goal request Candor refuses; nothing was written."""


@dataclass(frozen=True)
class KeyResultDraft:
    title: str
    kind: str = "metric"  # metric | milestone
    start: float = 0.0
    target: float = 100.0
    unit: str = ""
    weight: float = 1.0
    current: float | None = None  # default: the start (a metric) or 0 (a milestone)


@dataclass(frozen=True)
class GoalDraft:
    team_id: str
    owner: Person
    title: str
    source_key: str
    level: str = "person"  # organisation | department | person
    department: str | None = None
    description: str = ""
    period: str | None = None  # a period key; default: the current configured period
    parent_id: int | None = None
    visibility: str | None = None  # default: goals.default_visibility
    key_results: tuple[KeyResultDraft, ...] = ()


@dataclass(frozen=True)
class CreateResult:
    goal: Goal
    created: bool
    active_goals: int  # the owner's active goals now, this one included
    over_soft_limit: bool


@dataclass(frozen=True)
class UpdateDraft:
    goal_id: int
    source_key: str
    values: dict[int, float] = field(default_factory=dict)  # key result id → new value
    progress: float | None = None  # 0–1, for a goal without key results
    status: str | None = None  # on_track | at_risk | off_track; None = let Candor suggest
    comment: str = ""
    source: str = "modal"


@dataclass(frozen=True)
class CloseDraft:
    goal_id: int
    source_key: str
    final_score: float  # 0–1
    lessons: str = ""
    carry_over: bool = False


# -- who may do what -------------------------------------------------------------------------------------


def viewer_of(person: Person, org: OrgConfig) -> access.Viewer:
    return access.Viewer.slack(person, org.hr.admins)


def kind_of(goal: Goal) -> access.RecordKind:
    return access.RecordKind.GOAL_PRIVATE if goal.visibility == "private" else access.RecordKind.GOAL_PUBLIC


def can_see_goal(session: Session, viewer: access.Viewer, goal: Goal) -> bool:
    return access.can_see(session, viewer, kind_of(goal), owner=goal.owner)


def visible_goal_where(viewer: access.Viewer) -> ColumnElement[bool]:
    """A WHERE clause keeping the goals the viewer may see (public ones, private ones by the policy)."""
    owner_id: ColumnElement[int] = Goal.__table__.c.owner_id
    team_id: ColumnElement[str] = Goal.__table__.c.team_id
    return or_(
        and_(Goal.visibility == "public", access.visible_where(viewer, access.RecordKind.GOAL_PUBLIC,
                                                                owner_id=owner_id, team_id=team_id)),
        and_(Goal.visibility == "private", access.visible_where(viewer, access.RecordKind.GOAL_PRIVATE,
                                                                 owner_id=owner_id, team_id=team_id)),
    )


def is_hr(person: Person, org: OrgConfig) -> bool:
    return viewer_of(person, org).is_hr_admin


def may_manage(session: Session, author: Person, owner: Person, org: OrgConfig) -> bool:
    """May `author` set or update goals owned by `owner`? The owner, their manager chain, HR admins."""
    if not author.active or author.team_id != owner.team_id:
        return False
    return author.id == owner.id or is_hr(author, org) or access.is_manager_of(session, author, owner)


def may_update(session: Session, author: Person, goal: Goal, org: OrgConfig) -> bool:
    return goal.team_id == author.team_id and may_manage(session, author, goal.owner, org)


def may_create_level(session: Session, author: Person, level: str, org: OrgConfig) -> bool:
    """Organisation goals: HR admins. Department goals: HR admins and managers. Person goals: anyone."""
    if level == "organisation":
        return is_hr(author, org)
    if level == "department":
        return is_hr(author, org) or access.has_reports(session, author)
    return author.active


# -- validation -------------------------------------------------------------------------------------------


def check_text(value: str, max_len: int, field_name: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and is_blank(value):
        raise GoalError(_t("This can't be empty."), code="empty", field=field_name)
    length = visible_length(value)
    if length > max_len:
        raise GoalError(TOO_LONG, code="too_long", field=field_name, max=max_len, length=length)
    return value


def _number(value: float, field_name: str) -> float:
    if not math.isfinite(value) or abs(value) > VALUE_MAX:
        raise GoalError(_t("Enter a number, such as 12 or 4.5."), code="not_a_number", field=field_name)
    return float(value)


def check_key_results(drafts: Sequence[KeyResultDraft], org: OrgConfig) -> list[KeyResultDraft]:
    """Refuse key results Candor cannot measure. Field names: `kr_<i>` (the i-th, from 0)."""
    max_krs = org.goals.max_key_results
    if len(drafts) > max_krs:
        raise GoalError(_t("At most {max} key results per goal: a few that matter say more than many."),
                        code="too_many_krs", field="key_results", max=max_krs)
    out = []
    for i, kr in enumerate(drafts):
        name = f"kr_{i}"
        title = check_text(kr.title, KR_TITLE_MAX, name, required=True)
        unit = check_text(kr.unit, UNIT_MAX, name)
        if kr.kind not in ("metric", "milestone"):
            raise GoalError(_t("A key result is a number to reach or a milestone."), code="kr_kind", field=name)
        start, target = _number(kr.start, name), _number(kr.target, name)
        if kr.kind == "metric" and start == target:
            raise GoalError(_t("The target must differ from the start: {title} starts at {start}."),
                            code="kr_no_change", field=name, title=title, start=_fmt(start))
        if not 0 <= kr.weight <= 100 or not math.isfinite(kr.weight):
            raise GoalError(_t("A weight is a number from 0 to 100."), code="kr_weight", field=name)
        current = kr.current
        if current is not None:
            current = _number(current, name)
            if kr.kind == "milestone" and not 0 <= current <= 100:
                raise GoalError(_t("A milestone is between 0 and 100%."), code="milestone_range", field=name)
        out.append(KeyResultDraft(title, kr.kind, start if kr.kind == "metric" else 0.0,
                                  target if kr.kind == "metric" else 100.0, unit, kr.weight, current))
    return out


def _fmt(value: float) -> str:
    return f"{value:g}"


def local_today(org: OrgConfig, person: Person, now: datetime) -> date:
    """The date it is for this person now, in their own time zone (a period turns at their midnight)."""
    return now.astimezone(zone_of(person.tz, org.schedule.default_timezone)).date()


def goal_period(org: OrgConfig, key: str | None, today: date) -> Period:
    if key is None or not key.strip():
        return period_containing(org.goals, today)
    found = parse_period(org.goals, key)
    if found is None:
        raise GoalError(_t("{period} isn't a period: write one like 2026-Q4, 2026-H2 or FY2026."),
                        code="bad_period", field="period", period=key.strip()[:40])
    return found


# -- create ------------------------------------------------------------------------------------------------


def active_goal_count(session: Session, owner: Person) -> int:
    return session.scalar(select(func.count()).select_from(Goal).where(
        Goal.owner_id == owner.id, Goal.level == "person", Goal.state == "active")) or 0


def create_goal(session: Session, org: OrgConfig, author: Person, draft: GoalDraft, *,
                now: datetime | None = None) -> CreateResult:
    """Validate and save a goal with its key results and a first history entry. Raises `GoalError`."""
    now = now or clock_of(session).now()
    existing = session.scalars(select(Goal).where(Goal.team_id == draft.team_id,
                                                  Goal.source_key == draft.source_key)).one_or_none()
    if existing is not None:
        count = active_goal_count(session, existing.owner)
        return CreateResult(existing, False, count, count > org.goals.soft_limit_active)
    level = draft.level
    if level not in ("organisation", "department", "person"):
        raise GoalError(_t("A goal belongs to the organisation, a department or a person."), code="level",
                        field="level")
    if not may_create_level(session, author, level, org):
        message = (_t("Only HR admins set the organisation's goals.") if level == "organisation"
                   else _t("Only managers and HR admins set a department's goals."))
        raise GoalError(message, code="not_allowed", field="level")
    owner = draft.owner
    if not owner.active or owner.team_id != draft.team_id:
        raise GoalError(_t("{user} has been deactivated and can't own a goal."), code="owner_inactive",
                        field="owner", user=owner.label)
    # A person's or a department's goal is owned by the author or someone in their reporting chain (HR admins:
    # anyone); the organisation's, which only HR admins set, by anyone active.
    if level != "organisation" and not may_manage(session, author, owner, org):
        raise GoalError(_t("You can set goals for yourself and the people who report to you."),
                        code="not_allowed", field="owner")
    department = (draft.department or "").strip() or None
    if level == "department":
        if department is None:
            department = author.department
        if department is None:
            raise GoalError(_t("Name the department this goal belongs to."), code="no_department",
                            field="department")
        if not is_hr(author, org) and (author.department or "").lower() != department.lower():
            raise GoalError(_t("Managers set goals for their own department ({department})."),
                            code="not_allowed", field="department", department=author.department or "-")
        department = check_text(department, 200, "department")
    title = check_text(draft.title, TITLE_MAX, "title", required=True)
    description = check_text(draft.description, DESCRIPTION_MAX, "description")
    krs = check_key_results(draft.key_results, org)
    period = goal_period(org, draft.period, local_today(org, owner, now))
    visibility = draft.visibility or org.goals.default_visibility
    if visibility not in ("public", "private"):
        raise GoalError(_t("A goal is public or private."), code="visibility", field="visibility")
    parent = None
    if draft.parent_id is not None:
        parent = _parent(session, org, author, draft.team_id, draft.parent_id)

    goal = Goal(team_id=draft.team_id, level=level, owner=owner, department=department, created_by=author,
                parent=parent, title=title, slug=make_slug(session, draft.team_id, title, visibility),
                description=description, period=period.key,
                starts_on=period.starts_on, ends_on=period.ends_on, visibility=visibility,
                last_update_at=now, source_key=draft.source_key, created_at=now,
                key_results=[KeyResult(position=i, title=kr.title, kind=kr.kind, start_value=kr.start,
                                       target_value=kr.target, unit=kr.unit, weight=kr.weight,
                                       current_value=kr.current if kr.current is not None else kr.start)
                             for i, kr in enumerate(krs)])
    add_with_free_slug(session, goal)
    session.add(GoalUpdate(goal=goal, author=author, created_at=now, source="created",
                           source_key=f"created:{draft.source_key}", progress=goal_progress(goal),
                           values={str(kr.id): kr.current_value for kr in goal.key_results}))
    session.flush()
    count = active_goal_count(session, owner) if level == "person" else 0
    return CreateResult(goal, True, count, level == "person" and count > org.goals.soft_limit_active)


SLUG_MAX = 40


def make_slug(session: Session, team_id: str, title: str, visibility: str = "public") -> str:
    """A short name for the goal, from its title, unique in the workspace ("grow-revenue-north", "…-2"). A
    private goal's is random ("private-3f9a1c2e"): a title-based one would tell whoever next chose that title
    that a goal of that name exists."""
    if visibility == "private":
        while True:
            slug = f"private-{secrets.token_hex(4)}"
            if find_by_slug(session, team_id, slug) is None:
                return slug
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    base = "-".join(re.findall(r"[a-z0-9]+", ascii_title))[:SLUG_MAX].strip("-") or "goal"
    taken = set(session.scalars(select(Goal.slug).where(Goal.team_id == team_id,
                                                        Goal.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def add_with_free_slug(session: Session, goal: Goal, *, attempts: int = 3) -> None:
    """Add and flush a new goal. Two people who create goals of the same title at the same moment compute the
    same short name; the second then gets a suffixed one instead of an error (in a savepoint, so the rest of
    the unit of work stands)."""
    for attempt in range(attempts):
        try:
            with session.begin_nested():
                session.add(goal)
                session.flush()
            return
        except IntegrityError:
            if attempt == attempts - 1 or find_by_slug(session, goal.team_id, goal.slug) is None:
                raise  # not a clash of names (a double submit's source key: the form claim handles it)
            goal.slug = f"{goal.slug[:SLUG_MAX]}-{secrets.token_hex(2)}"


def find_by_slug(session: Session, team_id: str, slug: str) -> Goal | None:
    return session.scalars(select(Goal).where(Goal.team_id == team_id,
                                              Goal.slug == slug.strip().lstrip("+").lower())).one_or_none()


def _parent(session: Session, org: OrgConfig, author: Person, team_id: str, parent_id: int) -> Goal:
    parent = session.get(Goal, parent_id) if 0 < parent_id <= ID_MAX else None
    if parent is None or parent.team_id != team_id or not can_see_goal(session, viewer_of(author, org), parent):
        raise GoalError(NOT_FOUND, code="parent_not_found", field="parent")
    if not parent.active:
        raise GoalError(_t("{title} is closed: align with an active goal."), code="parent_closed",
                        field="parent", title=parent.title)
    return parent


def parent_choices(session: Session, org: OrgConfig, viewer: Person, *, limit: int = 100,
                   excluding: int | None = None) -> list[Goal]:
    """Active goals the person may align a goal with: organisation and department goals first, then the
    people's goals they may see; never a goal's own descendants (`excluding`: that goal)."""
    query = (select(Goal).where(Goal.team_id == viewer.team_id, Goal.state == "active",
                                visible_goal_where(viewer_of(viewer, org)))
             .order_by(_level_order(), Goal.title, Goal.id).limit(limit))
    if excluding is not None:
        barred = {excluding, *(g.id for g in descendants(session, excluding))}
        query = query.where(Goal.id.not_in(barred))
    return list(session.scalars(query))


def _level_order() -> ColumnElement[int]:
    return case({"organisation": 0, "department": 1}, value=Goal.level, else_=2)


# -- update ------------------------------------------------------------------------------------------------


def load_goal(session: Session, org: OrgConfig, viewer: Person, goal_id: int) -> Goal:
    """The goal if the viewer may see it, else `GoalError` (the same message whether or not it exists)."""
    goal = (session.get(Goal, goal_id, options=[selectinload(Goal.key_results)])
            if 0 < goal_id <= ID_MAX else None)
    if goal is None or goal.team_id != viewer.team_id or not can_see_goal(session, viewer_of(viewer, org), goal):
        raise GoalError(NOT_FOUND, code="not_found")
    return goal


def update_goal(session: Session, org: OrgConfig, author: Person, draft: UpdateDraft, *,
                now: datetime | None = None) -> tuple[Goal, bool]:
    """Record progress on a goal. Returns the goal and whether this submission was new."""
    now = now or clock_of(session).now()
    goal = load_goal(session, org, author, draft.goal_id)
    done = session.scalars(select(GoalUpdate).where(GoalUpdate.goal_id == goal.id,
                                                    GoalUpdate.source_key == draft.source_key)).one_or_none()
    if done is not None:
        return goal, False
    if not may_update(session, author, goal, org):
        raise GoalError(_t("Only the goal's owner, their managers and HR admins can update it."),
                        code="not_allowed")
    if not goal.active:
        raise GoalError(_t("{title} is closed and can no longer be updated."), code="closed", title=goal.title)
    comment = check_text(draft.comment, COMMENT_MAX, "comment")
    if draft.status is not None and draft.status not in STATUSES_SET:
        raise GoalError(_t("Pick a status."), code="status", field="status")
    krs = {kr.id: kr for kr in goal.key_results}
    for kr_id, value in draft.values.items():
        kr = krs.get(kr_id)
        name = f"kr_{kr_id}"
        if kr is None:
            raise GoalError(NOT_FOUND, code="kr_not_found", field=name)
        value = _number(value, name)
        if kr.kind == "milestone" and not 0 <= value <= 100:
            raise GoalError(_t("A milestone is between 0 and 100%."), code="milestone_range", field=name)
    if draft.progress is not None and not 0 <= draft.progress <= 1:
        raise GoalError(_t("Progress is between 0 and 100%."), code="progress_range", field="progress")
    for kr_id, value in draft.values.items():
        krs[kr_id].current_value = float(value)
    if draft.progress is not None and not krs:
        goal.progress = draft.progress
    goal.status = draft.status
    goal.last_update_at = now
    session.add(GoalUpdate(goal=goal, author=author, created_at=now, source=draft.source,
                           source_key=draft.source_key, comment=comment, status=draft.status,
                           progress=goal_progress(goal),
                           values={str(k): v for k, v in draft.values.items()}))
    session.flush()
    return goal, True


def close_goal(session: Session, org: OrgConfig, author: Person, draft: CloseDraft, *,
               now: datetime | None = None) -> tuple[Goal, Goal | None]:
    """Close a goal with its final score and lessons; carry it over into the next period if asked. Returns
    the goal and its successor (None when closed without one). A repeated close changes nothing."""
    now = now or clock_of(session).now()
    goal = load_goal(session, org, author, draft.goal_id)
    if not goal.active:
        successor = session.get(Goal, goal.carried_to_id) if goal.carried_to_id is not None else None
        return goal, successor
    if not may_update(session, author, goal, org):
        raise GoalError(_t("Only the goal's owner, their managers and HR admins can update it."),
                        code="not_allowed")
    if not 0 <= draft.final_score <= 1 or not math.isfinite(draft.final_score):
        raise GoalError(_t("The final score is between 0 and 100%."), code="score_range", field="score")
    lessons = check_text(draft.lessons, LESSONS_MAX, "lessons")
    goal.state, goal.final_score, goal.lessons, goal.closed_at = "closed", draft.final_score, lessons, now
    session.add(GoalUpdate(goal=goal, author=author, created_at=now, source="closeout",
                           source_key=draft.source_key, comment=lessons, status=goal.status,
                           progress=goal_progress(goal), values={}))
    successor = None
    if draft.carry_over:
        nxt = next_period(org.goals, Period(goal.period, goal.starts_on, goal.ends_on))
        parent = goal.parent if goal.parent is not None and goal.parent.active else None
        successor = Goal(team_id=goal.team_id, level=goal.level, owner_id=goal.owner_id,
                         department=goal.department, created_by=author, parent=parent, title=goal.title,
                         slug=make_slug(session, goal.team_id, goal.title, goal.visibility),
                         description=goal.description,
                         period=nxt.key, starts_on=nxt.starts_on, ends_on=nxt.ends_on,
                         visibility=goal.visibility, progress=goal.progress,
                         last_update_at=now, source_key=f"carried:{goal.id}", created_at=now,
                         key_results=[KeyResult(position=kr.position, title=kr.title, kind=kr.kind,
                                                start_value=kr.start_value, target_value=kr.target_value,
                                                current_value=kr.current_value, unit=kr.unit, weight=kr.weight)
                                      for kr in goal.key_results])
        add_with_free_slug(session, successor)
        goal.carried_to_id = successor.id
        session.add(GoalUpdate(goal=successor, author=author, created_at=now, source="carried",
                               source_key=f"carried:{goal.id}", progress=goal_progress(successor),
                               comment="", values={}))
    session.flush()
    return goal, successor


# -- queries -----------------------------------------------------------------------------------------------


def goals_of(session: Session, org: OrgConfig, viewer: Person, owners: Iterable[Person], *,
             active_only: bool = True, period: str | None = None) -> list[Goal]:
    """The goals these people own that the viewer may see, their key results loaded."""
    ids = [p.id for p in owners]
    if not ids:
        return []
    query = (select(Goal).where(Goal.owner_id.in_(ids), Goal.level == "person",
                                visible_goal_where(viewer_of(viewer, org)))
             .options(selectinload(Goal.key_results), selectinload(Goal.parent))
             .order_by(Goal.ends_on, Goal.title, Goal.id))
    if active_only:
        query = query.where(Goal.state == "active")
    if period is not None:
        query = query.where(Goal.period == period)
    return list(session.scalars(query))


def shared_goals(session: Session, org: OrgConfig, viewer: Person, *, active_only: bool = True,
                 owner: Person | None = None) -> list[Goal]:
    """The organisation's and departments' goals the viewer may see (those `owner` answers for, if given)."""
    query = (select(Goal).where(Goal.team_id == viewer.team_id, Goal.level != "person",
                                visible_goal_where(viewer_of(viewer, org)))
             .options(selectinload(Goal.key_results), selectinload(Goal.parent))
             .order_by(_level_order(), Goal.department, Goal.title, Goal.id))
    if active_only:
        query = query.where(Goal.state == "active")
    if owner is not None:
        query = query.where(Goal.owner_id == owner.id)
    return list(session.scalars(query))


def ancestors(session: Session, goal_id: int) -> list[Goal]:
    """The goal's chain of parents, nearest first, in one recursive query."""
    up = select(Goal.parent_id.label("id"), literal(1, Integer).label("depth")).where(
        Goal.id == goal_id).cte("up", recursive=True)
    parent = aliased(Goal)
    up = up.union_all(select(parent.parent_id, up.c.depth + 1).join(parent, parent.id == up.c.id)
                      .where(up.c.depth < 50))
    rows = session.execute(select(Goal, up.c.depth).join(up, Goal.id == up.c.id).order_by(up.c.depth))
    return [g for g, _ in rows]


def descendants(session: Session, goal_id: int) -> list[Goal]:
    """Every goal aligned with this one, directly or further down, in one recursive query (breadth first)."""
    down = select(Goal.id.label("id"), literal(1, Integer).label("depth")).where(
        Goal.parent_id == goal_id).cte("down", recursive=True)
    child = aliased(Goal)
    down = down.union_all(select(child.id, down.c.depth + 1).join(child, child.parent_id == down.c.id)
                          .where(down.c.depth < 50))
    rows = session.execute(select(Goal, down.c.depth).join(down, Goal.id == down.c.id)
                           .order_by(down.c.depth, Goal.id))
    return [g for g, _ in rows]


def children(session: Session, goal: Goal) -> list[Goal]:
    return list(session.scalars(select(Goal).where(Goal.parent_id == goal.id)
                                .options(selectinload(Goal.key_results)).order_by(Goal.id)))


def visible_children(session: Session, org: OrgConfig, viewer: Person, goal: Goal, *,
                     limit: int = 50) -> tuple[list[Goal], int]:
    """The first `limit` goals aligned with this one that the viewer may see, and how many there are: the
    policy is applied in SQL, so a goal with hundreds of children costs two queries."""
    where = (Goal.parent_id == goal.id, Goal.team_id == viewer.team_id, visible_goal_where(viewer_of(viewer, org)))
    total = session.scalar(select(func.count()).select_from(Goal).where(*where)) or 0
    found = list(session.scalars(select(Goal).where(*where).options(selectinload(Goal.key_results))
                                 .order_by(Goal.id).limit(limit)))
    return found, total


@dataclass(frozen=True)
class Reach:
    """What one viewer may do with goals, read once for a whole list: may they see a private goal of this owner,
    may they update a goal of this owner (the owner themselves, their manager chain, HR admins)."""

    viewer: Person
    hr: bool
    chain: frozenset[int]  # ids of everyone who reports to the viewer, directly or further down

    def manages(self, owner_id: int) -> bool:
        return self.viewer.active and (owner_id == self.viewer.id or self.hr or owner_id in self.chain)

    def sees(self, goal: Goal) -> bool:
        return goal.team_id == self.viewer.team_id and self.viewer.active and (
            goal.visibility == "public" or self.manages(goal.owner_id))

    def may_update(self, goal: Goal) -> bool:
        return goal.team_id == self.viewer.team_id and self.manages(goal.owner_id)


def reach_of(session: Session, org: OrgConfig, viewer: Person) -> Reach:
    chain = frozenset(session.scalars(report_ids(viewer))) if viewer.active else frozenset()
    return Reach(viewer, is_hr(viewer, org), chain)


def history(session: Session, goal: Goal, *, limit: int = 20) -> list[GoalUpdate]:
    return list(session.scalars(select(GoalUpdate).where(GoalUpdate.goal_id == goal.id)
                                .options(selectinload(GoalUpdate.author))
                                .order_by(GoalUpdate.created_at.desc(), GoalUpdate.id.desc()).limit(limit)))
