"""Goal prompts: one nudge per silence of a stalled goal, and a close-out prompt when a goal's period ends.

Both are due at `goals.nudge_time` in the owner's own time zone, on one of their working days, outside their
quiet hours (`models.core.timing`: DST-safe), and go through the tick (`models.core.prompts`), so downtime,
pauses, deactivation and the pilot rollout are handled there.

- **Nudge** (`goal.nudge`). A person's active goal is silent from its last update (creation counts), or from
  the start of its period when that is later. After `goals.stall_days` days of silence, counted in the
  owner's calendar (so a daylight-saving change does not move it by an hour), the owner gets one DM, due at
  the first working moment at `nudge_time` on or after that point. The occurrence's period names the
  silence (`goal<id>-<last update>`): the same silence never gets two nudges, however often the tick runs
  or restarts, and a new silence after an update gets its own. A silence that would reach its nudge after
  the period's last day gets none: the close-out prompt follows instead.
- **Close-out** (`goal.closeout`). When a goal's period ends (`ends_on`, inclusive) the owner of a goal
  still active gets a close-out prompt at `nudge_time` on their first working day after it, once per goal.

The tick asks every person every minute: the goals that may be due in its window are read once per tick into
`ctx.cache`, by owner, with only the columns the due times need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from models.core.config import GoalsConfig, OrgConfig
from models.core.prompts import Occurrence, PromptContext, PromptKind, pattern_for
from models.core.tables import Person
from models.core.timing import WorkPattern, is_working_day, local_day_at, resolve_local
from models.goals.tables import Goal

NUDGE_KIND = "goal.nudge"
CLOSEOUT_KIND = "goal.closeout"
_NUDGE_MEMO = "goals.nudge"
_CLOSEOUT_MEMO = "goals.closeout"
# A due moment is at most a week after the day it waits for (the next working day), plus a day for time
# zones: how far back from the tick's window a goal's threshold or period end may lie and still be due in it.
SETTLE = timedelta(days=9)
_WEEK_AND_A_DAY = 8


@dataclass(frozen=True)
class GoalTimes:
    """What a goal's due times depend on (one row of the tick's query, not a loaded `Goal`)."""

    id: int
    owner_id: int
    last_update_at: datetime
    starts_on: date
    ends_on: date
    created_at: datetime


def stamp(moment: datetime) -> str:
    """A moment as the text that names a silence (UTC, whole seconds): `2026-10-12T08:00:00+00:00`."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def silence_period(goal_id: int, last_update_at: datetime) -> str:
    """The occurrence period (dedupe key) of a nudge: the goal and the last update its silence started at."""
    return f"goal{goal_id}-{stamp(last_update_at)}"


def closeout_period(goal_id: int) -> str:
    return f"goal{goal_id}-closeout"


def first_working_at(day: date, at: time, pattern: WorkPattern, *, not_before: datetime | None = None) -> datetime:
    """The first moment at local `at` on one of the person's working days, from local `day` on (and not
    before `not_before`), placed by `local_day_at` (quiet hours, DST)."""
    for offset in range(2 * _WEEK_AND_A_DAY):
        candidate = day + timedelta(days=offset)
        if not is_working_day(candidate, pattern):
            continue
        due = local_day_at(candidate, at, pattern)
        if not_before is None or due >= not_before:
            return due
    raise ValueError("no working day in two weeks")  # unreachable: a WorkPattern has a working day


def stall_threshold(last_update_at: datetime, starts_on: date, stall_days: int, pattern: WorkPattern) -> datetime:
    """When a goal silent since `last_update_at` (or since its period began, if later) has been silent for
    `stall_days` days of the owner's calendar: the same wall-clock time, `stall_days` local days on."""
    zone = pattern.zone()
    since = max(last_update_at.astimezone(zone).replace(tzinfo=None), datetime.combine(starts_on, time()))
    target = since + timedelta(days=stall_days)
    return resolve_local(target.date(), target.time(), zone)


def is_stalled(goal: Goal | GoalTimes, cfg: GoalsConfig, pattern: WorkPattern, now: datetime) -> bool:
    return stall_threshold(goal.last_update_at, goal.starts_on, cfg.stall_days, pattern) <= now


def stalled_days(goal: Goal, org: OrgConfig, now: datetime) -> int | None:
    """How many of the owner's days the goal has been silent (since its last update, or since its period began
    if later), when that makes it stalled by the same rule as the nudge and the alert; else None."""
    if goal.state != "active":
        return None
    pattern = pattern_for(goal.owner, org)
    if not is_stalled(goal, org.goals, pattern, now):
        return None
    zone = pattern.zone()
    since = max(goal.last_update_at.astimezone(zone).date(), goal.starts_on)
    return (now.astimezone(zone).date() - since).days


def nudge_due(goal: Goal | GoalTimes, cfg: GoalsConfig, pattern: WorkPattern) -> datetime | None:
    """When the owner gets the nudge for the goal's current silence; None when that would be after the
    goal's period (the close-out prompt comes instead)."""
    threshold = stall_threshold(goal.last_update_at, goal.starts_on, cfg.stall_days, pattern)
    zone = pattern.zone()
    due = first_working_at(threshold.astimezone(zone).date(), cfg.nudge_time, pattern, not_before=threshold)
    return due if due.astimezone(zone).date() <= goal.ends_on else None


def closeout_due(goal: Goal | GoalTimes, cfg: GoalsConfig, pattern: WorkPattern) -> datetime:
    """The owner's first working day after the goal's period, at `nudge_time`."""
    return first_working_at(goal.ends_on + timedelta(days=1), cfg.nudge_time, pattern)


# -- the tick ----------------------------------------------------------------------------------------------


_Times = Select[int, int, datetime, date, date, datetime]


def _times(session: Session, query: _Times) -> dict[int, list[GoalTimes]]:
    by_owner: dict[int, list[GoalTimes]] = {}
    for row in session.execute(query.order_by(Goal.id)):
        by_owner.setdefault(row.owner_id, []).append(GoalTimes(
            row.id, row.owner_id, row.last_update_at, row.starts_on, row.ends_on, row.created_at))
    return by_owner


def _columns() -> _Times:
    return select(Goal.id, Goal.owner_id, Goal.last_update_at, Goal.starts_on, Goal.ends_on, Goal.created_at)


def stalling_goals(session: Session, team_id: str, cfg: GoalsConfig, start: datetime, end: datetime
                   ) -> dict[int, list[GoalTimes]]:
    """People's active goals whose nudge may fall in (start, end], by owner: silent long enough by `end`
    (a day's slack for time zones and DST), not so long that the nudge was due before `start`, and not
    ended before the window."""
    stall = timedelta(days=cfg.stall_days)
    earliest = start - stall - SETTLE
    query = _columns().where(
        Goal.team_id == team_id, Goal.level == "person", Goal.state == "active",
        Goal.last_update_at <= end - stall + timedelta(days=1),
        Goal.starts_on <= (end - stall + timedelta(days=1)).date(),
        Goal.ends_on >= (start - timedelta(days=1)).date(),
        or_(Goal.last_update_at >= earliest, Goal.starts_on >= earliest.date()),
    )
    return _times(session, query)


def ending_goals(session: Session, team_id: str, cfg: GoalsConfig, start: datetime, end: datetime
                 ) -> dict[int, list[GoalTimes]]:
    """Active goals (of any level) whose close-out may fall in (start, end], by owner."""
    query = _columns().where(Goal.team_id == team_id, Goal.state == "active",
                             Goal.ends_on >= (start - SETTLE - timedelta(days=1)).date(),
                             Goal.ends_on <= end.date())
    return _times(session, query)


Loader = Callable[[Session, str, GoalsConfig, datetime, datetime], dict[int, list[GoalTimes]]]


def _for_tick(ctx: PromptContext, memo: str, person: Person, start: datetime, end: datetime, load: Loader
              ) -> list[GoalTimes]:
    """The person's goals from the tick's one query (made again only for a window that starts earlier than
    the one read: the tick starts a person's window later when Candor met them inside it)."""
    found = ctx.cache.get(memo)
    if found is None or start < found[0] or end != found[1]:
        team_id = ctx.team_id or person.team_id
        found = ctx.cache[memo] = (start, end, load(ctx.session, team_id, ctx.org.goals, start, end))
    by_owner: dict[int, list[GoalTimes]] = found[2]
    return by_owner.get(person.id, [])


def nudge_prompts(ctx: PromptContext, person: Person, pattern: WorkPattern, start: datetime, end: datetime
                  ) -> Iterable[Occurrence]:
    cfg = ctx.org.goals
    if not cfg.enabled:
        return []
    out = []
    for goal in _for_tick(ctx, _NUDGE_MEMO, person, start, end, stalling_goals):
        due = nudge_due(goal, cfg, pattern)
        if due is not None and start < due <= end:
            out.append(Occurrence(period=silence_period(goal.id, goal.last_update_at), due_at=due,
                                  payload={"goal_id": goal.id, "silent_since": stamp(goal.last_update_at)}))
    return out


def closeout_prompts(ctx: PromptContext, person: Person, pattern: WorkPattern, start: datetime, end: datetime
                     ) -> Iterable[Occurrence]:
    cfg = ctx.org.goals
    if not cfg.enabled:
        return []
    out = []
    for goal in _for_tick(ctx, _CLOSEOUT_MEMO, person, start, end, ending_goals):
        due = closeout_due(goal, cfg, pattern)
        if start < due <= end and due > goal.created_at:
            out.append(Occurrence(period=closeout_period(goal.id), due_at=due,
                                  payload={"goal_id": goal.id, "ended_on": goal.ends_on.isoformat()}))
    return out


PROMPTS = (
    PromptKind(NUDGE_KIND, nudge_prompts,
               description="One DM per silence when a goal has had no update for goals.stall_days days"),
    PromptKind(CLOSEOUT_KIND, closeout_prompts,
               description="A close-out prompt on the owner's first working day after a goal's period"),
)
