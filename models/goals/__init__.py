"""Goals and OKRs: a line from the organisation's objectives to each person's week.

A goal belongs to a period (a quarter by default: `periods`), is owned by a person and may align with a
parent one level up (organisation → department → person). Its progress rolls up from its key results and
Candor suggests a status from progress against the time gone by (`progress`). Who may create, see and
update which goal, and the alignment queries, are in `rules`. Stalled goals get one nudge per silence and
ended ones a close-out prompt (`prompts`); at-risk and off-track goals join the 1:1 agenda (`agenda`);
stalled and off-track goals are HR alerts (the daily job in `jobs`); goals join export and erasure
(`personal_data`) and the HR digest (`digest`: on track, updated and stalled, week by week)."""

from __future__ import annotations

from models.core.features import AlertKind, Feature
from models.goals import agenda as _agenda
from models.goals import digest as _digest
from models.goals import export as _export
from models.goals import jobs as _jobs
from models.goals import personal_data as _personal_data
from models.goals import prompts as _prompts
from models.goals.periods import Period, next_period, parse_period, period_containing
from models.goals.progress import (
    AT_RISK,
    OFF_TRACK,
    ON_TRACK,
    STATUS_EMOJI,
    STATUS_NAME,
    STATUSES_SET,
    GoalState,
    goal_progress,
    kr_progress,
    progress_bar,
    rollup,
    state_of,
    suggest_status,
    value_progress,
)
from models.goals.prompts import stalled_days
from models.goals.rules import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    KR_TITLE_MAX,
    LESSONS_MAX,
    TITLE_MAX,
    UNIT_MAX,
    CloseDraft,
    CreateResult,
    GoalDraft,
    GoalError,
    KeyResultDraft,
    Reach,
    UpdateDraft,
    active_goal_count,
    ancestors,
    can_see_goal,
    check_key_results,
    children,
    close_goal,
    create_goal,
    descendants,
    find_by_slug,
    goal_period,
    goals_of,
    history,
    load_goal,
    local_today,
    may_create_level,
    may_manage,
    may_update,
    parent_choices,
    reach_of,
    shared_goals,
    update_goal,
    viewer_of,
    visible_children,
    visible_goal_where,
)
from models.goals.tables import Goal, GoalUpdate, KeyResult
from models.goals.text import format_key_result, parse_key_result

FEATURE = Feature(
    name="goals",
    description="Goals and OKRs aligned from the organisation down, with nudges when a goal stalls",
    slack="handlers.goals",
    prompts=_prompts.PROMPTS,
    jobs=_jobs.JOBS,
    agenda_sections=_agenda.SECTIONS,
    personal_data=_personal_data.PERSONAL_DATA,
    alerts=(
        AlertKind("goal.stalled", "A goal with no update for goals.stall_days days"),
        AlertKind("goal.off_track", "A goal off track for the time gone by in its period"),
    ),
    digest_sections=_digest.DIGEST_SECTIONS,
    activity=_digest.ACTIVITY,
    exports=_export.EXPORTS,
)

__all__ = [
    "AT_RISK",
    "COMMENT_MAX",
    "DESCRIPTION_MAX",
    "FEATURE",
    "KR_TITLE_MAX",
    "LESSONS_MAX",
    "OFF_TRACK",
    "ON_TRACK",
    "STATUSES_SET",
    "STATUS_EMOJI",
    "STATUS_NAME",
    "TITLE_MAX",
    "UNIT_MAX",
    "CloseDraft",
    "CreateResult",
    "Goal",
    "GoalDraft",
    "GoalError",
    "GoalState",
    "GoalUpdate",
    "KeyResult",
    "KeyResultDraft",
    "Period",
    "Reach",
    "UpdateDraft",
    "active_goal_count",
    "ancestors",
    "can_see_goal",
    "check_key_results",
    "children",
    "close_goal",
    "create_goal",
    "descendants",
    "find_by_slug",
    "format_key_result",
    "goal_period",
    "goal_progress",
    "goals_of",
    "history",
    "kr_progress",
    "load_goal",
    "local_today",
    "may_create_level",
    "may_manage",
    "may_update",
    "next_period",
    "parent_choices",
    "parse_key_result",
    "parse_period",
    "period_containing",
    "progress_bar",
    "reach_of",
    "rollup",
    "shared_goals",
    "stalled_days",
    "state_of",
    "suggest_status",
    "update_goal",
    "value_progress",
    "viewer_of",
    "visible_children",
    "visible_goal_where",
]
