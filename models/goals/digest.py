"""Goals in the HR weekly digest: how many are on track, updated and stalled, week by week.

- **Which goals.** Goals of the workspace whose owner is active (not deactivated, a bot or erased), in their
  current period at the end of the week (the week's Sunday, in HR's time zone, falls between the goal's
  `starts_on` and `ends_on`), created before the week ended and still active then (not closed before it
  ended). Every level counts: the organisation's, departments' and people's.
- **Status** at the end of a week: what the owner set in their last update before the week ended, else
  Candor's suggestion from that update's progress against the time gone by on the Sunday
  (`progress.suggest_status`, the rule `progress.state_of` applies to a goal today).
- **Stalled** at the end of a week: no update for `goals.stall_days` days of the owner's calendar by then
  (`prompts.is_stalled`, the rule of the nudges and of the `goal.stalled` alert), counted from that last update.
- **Updated**: goals with an update recorded in the week (creation, an import and a carry-over are not
  updates) — any goal of an active owner, whatever its period.

The history of each figure is rebuilt from the goals' update history (`GoalUpdate`: each holds the status the
owner set and the progress after it), in one query bounded to the nine weeks (the week and its `HISTORY_WEEKS`
before) plus each current goal's last update before them. Private goals are in the figures and the tail: HR
admins may see them (`models.access`, `goal_private`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from models.core.config import OrgConfig
from models.core.digest import HISTORY_WEEKS, Activity, DigestSection, DigestSpec, Figure, Week
from models.core.messages import Message, Phrase, _t, say
from models.core.prompts import pattern_for
from models.core.tables import Person, active_person
from models.core.timing import WorkPattern
from models.goals.periods import Period
from models.goals.progress import AT_RISK, OFF_TRACK, ON_TRACK, STATUS_NAME, STATUSES_SET, suggest_status
from models.goals.prompts import GoalTimes, is_stalled
from models.goals.tables import Goal, GoalUpdate

KEY = "goals"
DEPARTMENT_LINES = 8  # departments named in the lines, the most off track first
TAIL_HEADER = ("goal", "owner", "department", "status", "days since update")
CREATION_SOURCES = frozenset(("created", "import", "carried"))  # history entries that are not updates
ORGANISATION = _t("Organisation")
NO_DEPARTMENT = _t("No department")


@dataclass(frozen=True)
class Entry:
    """One entry of a goal's history, as much of it as the digest needs (never the comment)."""

    created_at: datetime
    source: str
    status: str | None
    progress: float


@dataclass(frozen=True)
class GoalWeek:
    """A goal as it stood at the end of one week."""

    goal: Goal
    owner: Person
    status: str
    stalled: bool
    last_update_at: datetime


@dataclass(frozen=True)
class GoalWeeks:
    """The goals of each week looked at, oldest first (the digest's own week last), and the goals updated in
    each."""

    weeks: list[Week]
    goals: list[list[GoalWeek]]
    updated: list[set[int]]


def _weeks(week: Week) -> list[Week]:
    return [week.back(n) for n in range(HISTORY_WEEKS, 0, -1)] + [week]


def _sunday(week: Week) -> date:
    return week.monday + timedelta(days=6)


def _counts_in(goal: Goal, week: Week) -> bool:
    """A goal of its current period at the end of the week, created before then and not closed by then."""
    day = _sunday(week)
    return (goal.starts_on <= day <= goal.ends_on and goal.created_at < week.end
            and (goal.state == "active" or (goal.closed_at is not None and goal.closed_at >= week.end)))


def goal_weeks(session: Session, org: OrgConfig, team_id: str, week: Week) -> GoalWeeks:
    """The goals of `week` and of each of the HISTORY_WEEKS before it, as they stood at each week's end. Two
    queries: the goals, and their history in the weeks (with each one's last entry before them)."""
    weeks = _weeks(week)
    first, end = weeks[0].start, week.end
    current = and_(Goal.starts_on <= _sunday(week), Goal.ends_on >= weeks[0].monday, Goal.created_at < end,
                   or_(Goal.state == "active", Goal.closed_at >= first))
    # Every goal with a history entry since `first` was updated (`last_update_at`) or closed since then: the
    # goals are found first, and their history through them (not by reading every goal's history).
    touched = or_(Goal.last_update_at >= first, Goal.closed_at >= first)
    in_weeks = and_(GoalUpdate.created_at >= first, GoalUpdate.created_at < end)
    owned = (Goal.team_id == team_id, *active_person(Person), or_(current, touched))
    rows = session.execute(
        select(Goal, Person).join(Person, Person.id == Goal.owner_id).where(*owned).order_by(Goal.id)
    ).all()
    earlier = GoalUpdate.created_at < first
    ranked = (
        select(GoalUpdate.goal_id, GoalUpdate.id, GoalUpdate.created_at, GoalUpdate.source, GoalUpdate.status,
               GoalUpdate.progress,
               func.row_number().over(partition_by=(GoalUpdate.goal_id, earlier),
                                      order_by=(GoalUpdate.created_at.desc(), GoalUpdate.id.desc())).label("rank"))
        .join(Goal, Goal.id == GoalUpdate.goal_id).join(Person, Person.id == Goal.owner_id)
        .where(*owned, GoalUpdate.created_at < end, or_(in_weeks, current))
        .subquery()
    )
    history: dict[int, list[Entry]] = {}
    for goal_id, _, created_at, source, status, progress, _ in session.execute(
            select(ranked).where(or_(ranked.c.created_at >= first, ranked.c.rank == 1))
            .order_by(ranked.c.goal_id, ranked.c.created_at, ranked.c.id)):
        history.setdefault(goal_id, []).append(Entry(created_at, source, status, progress))

    patterns: dict[int, WorkPattern] = {}
    goals: list[list[GoalWeek]] = [[] for _ in weeks]
    updated: list[set[int]] = [set() for _ in weeks]
    for goal, owner in rows:
        entries = history.get(goal.id, [])
        moments = [e.created_at for e in entries]
        period = Period(goal.period, goal.starts_on, goal.ends_on)
        if owner.id not in patterns:
            patterns[owner.id] = pattern_for(owner, org)
        pattern = patterns[owner.id]
        for i, w in enumerate(weeks):
            start = bisect_left(moments, w.start)
            stop = bisect_left(moments, w.end)
            if any(e.source not in CREATION_SOURCES for e in entries[start:stop]):
                updated[i].add(goal.id)
            if not _counts_in(goal, w):
                continue
            last = entries[stop - 1] if stop else None
            if last is not None:
                said, progress, last_at = last.status, last.progress, last.created_at
            else:  # no history entry (every way of creating a goal writes one): the goal as it is
                said, progress, last_at = goal.status, goal.progress, goal.last_update_at
            suggested = suggest_status(min(1.0, max(0.0, progress)), period, _sunday(w))
            status = said if said is not None and said in STATUSES_SET else suggested
            times = GoalTimes(goal.id, goal.owner_id, last_at, goal.starts_on, goal.ends_on, goal.created_at)
            goals[i].append(GoalWeek(goal, owner, status, is_stalled(times, org.goals, pattern, w.end), last_at))
    return GoalWeeks(weeks, goals, updated)


Department = tuple[int, str]  # (0, name) a department, (1, "") the organisation, (2, "") none


def department_of(goal: Goal, owner: Person) -> Department:
    """Where a goal belongs: a department's goal to its department, a person's to its owner's department, the
    organisation's to the organisation."""
    if goal.level == "organisation":
        return (1, "")
    name = goal.department or owner.department
    return (0, name) if name else (2, "")


def _department_part(department: Department) -> str | Message:
    kind, name = department
    return name if kind == 0 else say(ORGANISATION if kind == 1 else NO_DEPARTMENT)


def _english(department: Department) -> str:
    kind, name = department
    return name if kind == 0 else ORGANISATION if kind == 1 else NO_DEPARTMENT


def days_since(last_update_at: datetime, pattern: WorkPattern, at: datetime) -> int:
    """Whole days of the owner's calendar from the last update to `at`."""
    zone = pattern.zone()
    return (at.astimezone(zone).date() - last_update_at.astimezone(zone).date()).days


def goals_section(session: Session, org: OrgConfig, team_id: str, week: Week) -> DigestSection:
    """The share of current goals on track, the goals updated and the goals stalled this week (each against the
    weeks before), their status by department, and every stalled or off-track goal."""
    title = _t("Goals")
    if not org.goals.enabled:
        return DigestSection(KEY, title, empty=_t("Goals are switched off."))
    found = goal_weeks(session, org, team_id, week)
    this, updated = found.goals[-1], found.updated[-1]
    if not this and not updated:
        return DigestSection(KEY, title, empty=_t("No active goals in this period."))

    def on_track(goals: list[GoalWeek]) -> float | None:
        return sum(g.status == ON_TRACK for g in goals) / len(goals) if goals else None

    owners = len({g.owner.id for g in this})
    figures = (
        Figure(f"{KEY}:on_track", _t("Goals on track"), on_track(this), "share",
               tuple(x for x in map(on_track, found.goals[:-1]) if x is not None), owners),
        Figure(f"{KEY}:updated", _t("Goals updated this week"), len(updated), "count",
               tuple(float(len(u)) for u in found.updated[:-1]), owners),
        Figure(f"{KEY}:stalled", _t("Stalled goals"), sum(g.stalled for g in this), "count",
               tuple(float(sum(g.stalled for g in goals)) for goals in found.goals[:-1]), owners,
               higher_is_better=False),
    )

    by_department: dict[Department, Counter[str]] = {}
    for g in this:
        by_department.setdefault(department_of(g.goal, g.owner), Counter())[g.status] += 1
    ranked = sorted(by_department.items(),
                    key=lambda kv: (-kv[1][OFF_TRACK], -kv[1][AT_RISK], kv[0][0], kv[0][1].lower(), kv[0][1]))
    lines: list[Message | str] = [
        Phrase(_department_part(department), ": ",
               say(_t("{on_track} on track, {at_risk} at risk, {off_track} off track"),
                   on_track=counts[ON_TRACK], at_risk=counts[AT_RISK], off_track=counts[OFF_TRACK]))
        for department, counts in ranked[:DEPARTMENT_LINES]
    ]
    if len(ranked) > DEPARTMENT_LINES:
        lines.append(say(_t("…and {count} more departments."), count=len(ranked) - DEPARTMENT_LINES))

    flagged = []
    for g in this:
        if g.status != OFF_TRACK and not g.stalled:
            continue
        days = days_since(g.last_update_at, pattern_for(g.owner, org), week.end)
        status = STATUS_NAME[g.status] + (", stalled" if g.stalled else "")
        flagged.append((g.status != OFF_TRACK, -days, g.owner.label.lower(), g.goal.title, g.goal.id,
                        (g.goal.title, g.owner.label, _english(department_of(g.goal, g.owner)), status, str(days))))
    tail = tuple(row[-1] for row in sorted(flagged, key=lambda r: r[:-1]))
    return DigestSection(KEY, title, figures, tuple(lines), TAIL_HEADER, tail)


def goal_activity(session: Session, team_id: str, start: datetime, end: datetime) -> set[int]:
    """Who created or updated a goal in [start, end) (creation writes the first history entry, by its author;
    an import has none): active people of the workspace. One query."""
    return set(session.scalars(
        select(GoalUpdate.author_id).distinct()
        .join(Goal, Goal.id == GoalUpdate.goal_id).join(Person, Person.id == GoalUpdate.author_id)
        .where(Goal.team_id == team_id, GoalUpdate.created_at >= start, GoalUpdate.created_at < end,
               Person.team_id == team_id, *active_person(Person))
    ))


DIGEST_SECTIONS = (
    DigestSpec(KEY, 40, goals_section,
               "Goals of the current period: the share on track, the goals updated and the goals stalled, each week "
               "rebuilt from the goals' update history (status set by the owner, else suggested from progress "
               "against the time gone by), their status by department, and every stalled or off-track goal."),
)
ACTIVITY = (Activity("goals", goal_activity),)
