"""Progress and status: how far a goal is, and whether that is on track for the time gone by.

- A metric key result's progress is how far its current value has moved from the start towards the target
  (a target below the start is a reduction), clamped to 0–1; a milestone's is its percentage.
- A goal's progress is the weighted mean of its key results' (weights default to 1). A goal without key
  results carries its own `progress` (set in updates).
- A parent can show the roll-up of its children (`rollup`): the mean of their progress.
- The suggested status compares progress with the share of the period gone by (`suggest_status`): on
  track while no more than 15 points behind, at risk up to 30 points behind, off track beyond. So 50 %
  done is on track halfway through a quarter, and off track in its last week (about 93 % gone by).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from models.core.messages import _t
from models.goals.periods import Period
from models.goals.tables import Goal, KeyResult

ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
STATUSES_SET = frozenset((ON_TRACK, AT_RISK, OFF_TRACK))
# The statuses' names and colours, as message ids the views translate.
STATUS_NAME = {ON_TRACK: _t("On track"), AT_RISK: _t("At risk"), OFF_TRACK: _t("Off track")}
STATUS_EMOJI = {ON_TRACK: ":large_green_circle:", AT_RISK: ":large_yellow_circle:", OFF_TRACK: ":red_circle:"}
AT_RISK_GAP = 0.15
OFF_TRACK_GAP = 0.30


def kr_progress(kr: KeyResult) -> float:
    return value_progress(kr.kind, kr.start_value, kr.target_value, kr.current_value)


def value_progress(kind: str, start: float, target: float, current: float) -> float:
    if kind == "milestone":
        share = current / 100.0
    elif target == start:
        share = 1.0 if current == target else 0.0
    else:
        share = (current - start) / (target - start)
    return min(1.0, max(0.0, share))


def goal_progress(goal: Goal) -> float:
    """The goal's progress from its key results (weighted), or its own when it has none."""
    krs = [kr for kr in goal.key_results if kr.weight > 0]
    if not krs:
        return min(1.0, max(0.0, goal.progress))
    total = sum(kr.weight for kr in krs)
    return sum(kr_progress(kr) * kr.weight for kr in krs) / total


def rollup(children: Iterable[Goal]) -> float | None:
    """The mean progress of a goal's children, or None when it has none."""
    values = [goal_progress(c) for c in children]
    return sum(values) / len(values) if values else None


def suggest_status(progress: float, period: Period, today: date) -> str:
    gap = period.elapsed(today) - progress
    if gap <= AT_RISK_GAP:
        return ON_TRACK
    return AT_RISK if gap <= OFF_TRACK_GAP else OFF_TRACK


@dataclass(frozen=True)
class GoalState:
    """What a view shows about a goal: its progress, the status that stands (the owner's, else the
    suggestion) and whether it is the owner's own."""

    progress: float
    status: str
    suggested: str
    status_is_owners: bool


def state_of(goal: Goal, today: date) -> GoalState:
    progress = goal_progress(goal)
    suggested = suggest_status(progress, Period(goal.period, goal.starts_on, goal.ends_on), today)
    return GoalState(progress, goal.status or suggested, suggested, goal.status is not None)


def progress_bar(progress: float, width: int = 10) -> str:
    """Progress as text for Slack: `▓▓▓▓▓░░░░░ 50%`."""
    filled = round(min(1.0, max(0.0, progress)) * width)
    return "▓" * filled + "░" * (width - filled) + f" {round(progress * 100)}%"
