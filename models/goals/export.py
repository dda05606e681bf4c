"""Goals in the performance-data export: each person's own goals of the goal period(s) overlapping the export's
period, their attainment and the share on track.

- **Which goals**: person-level goals owned by the person (organisation and department goals answer for a
  group, not for the person who owns them) whose period (`starts_on` to `ends_on`) overlaps the export's
  period, created before it ended. Private goals count: HR admins may see them (`models.access`).
- **Attainment**: per goal, the final score recorded at close-out when there is one, else its progress
  (`progress.goal_progress`: from its key results, weighted, else its own); the mean over the goals, 0 to 1.
- **On track**: per goal, the status that stands (`progress.state_of`: the owner's, else Candor's suggestion
  from progress against the time gone by) on the earlier of today and the goal's last day.

One statement (with its key results, loaded in one more) whatever the size of the workspace.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.exports import ExportColumn, ExportSpec, ExportValue, share
from models.core.zones import zone_of
from models.goals.progress import ON_TRACK, goal_progress, state_of
from models.goals.tables import Goal

PRIVACY = "Figures only, never a goal's title, key results or comments. Private goals count (HR may see them)."


def goals_export(session: Session, org: OrgConfig, team_id: str, start: datetime, end: datetime
                 ) -> dict[int, dict[str, ExportValue]]:
    if not org.goals.enabled:
        return {}
    zone = zone_of(org.hr.timezone, "UTC")
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()  # [first, last): last is excluded
    today = clock_of(session).now().astimezone(zone).date()
    goals = session.scalars(
        select(Goal).where(Goal.team_id == team_id, Goal.level == "person", Goal.starts_on < last,
                           Goal.ends_on >= first, Goal.created_at < end)
        .options(selectinload(Goal.key_results)).order_by(Goal.id))
    attained: dict[int, list[float]] = {}
    on_track: dict[int, int] = {}
    for goal in goals:
        score = goal.final_score if goal.state == "closed" and goal.final_score is not None else goal_progress(goal)
        attained.setdefault(goal.owner_id, []).append(min(1.0, max(0.0, score)))
        on_track[goal.owner_id] = on_track.get(goal.owner_id, 0) + (
            state_of(goal, min(today, goal.ends_on)).status == ON_TRACK)
    return {owner: {"goals_count": len(scores), "goal_attainment": round(sum(scores) / len(scores), 4),
                    "goals_on_track": share(on_track[owner], len(scores))}
            for owner, scores in attained.items()}


EXPORTS = (ExportSpec("goals", 40, (
    ExportColumn("goals_count", "The person's own goals whose goal period overlaps the export's period",
                 "goals (level person, owner_id, starts_on, ends_on)", PRIVACY, default=0),
    ExportColumn("goal_attainment", "Mean attainment of those goals, 0 to 1: the final score of a closed goal, "
                 "else its progress from its key results (empty without goals)",
                 "goals (final_score, progress), goal_key_results", PRIVACY),
    ExportColumn("goals_on_track", "Share of those goals on track, 0 to 1 (the owner's status, else the status "
                 "suggested from progress against the time gone by), on the earlier of today and the goal's end",
                 "goals (status, progress, starts_on, ends_on), goal_key_results", PRIVACY),
), goals_export),)
