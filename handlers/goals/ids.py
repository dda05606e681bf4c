"""Every Slack id the goals feature uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class GoalIds(StrEnum):
    COMMAND = "/goal"
    # Buttons (App Home, nudge DMs, list messages). An update/close/alignment button's value is the goal id;
    # the listener looks the goal up and checks access: the value is never trusted.
    NEW_BUTTON = "goal_new"
    UPDATE_BUTTON = "goal_update"
    ALIGNMENT_BUTTON = "goal_alignment"
    CLOSE_BUTTON = "goal_close_out"
    # Modals (callback ids)
    CREATE_MODAL = "goal_create_modal"
    UPDATE_MODAL = "goal_update_modal"
    PICK_MODAL = "goal_pick_modal"  # which goal to update, when the person has several
    CLOSE_MODAL = "goal_close_modal"
    ALIGNMENT_MODAL = "goal_alignment_modal"
    # Blocks and actions in the modals
    TITLE_BLOCK = "goal_title"
    TITLE_ACTION = "title_input"
    DESCRIPTION_BLOCK = "goal_description"
    DESCRIPTION_ACTION = "description_input"
    LEVEL_BLOCK = "goal_level"
    LEVEL_ACTION = "level_select"
    OWNER_BLOCK = "goal_owner"
    OWNER_ACTION = "owner_select"
    DEPARTMENT_BLOCK = "goal_department"
    DEPARTMENT_ACTION = "department_input"
    PERIOD_BLOCK = "goal_period"
    PERIOD_ACTION = "period_input"
    PARENT_BLOCK = "goal_parent"
    PARENT_ACTION = "parent_select"
    VISIBILITY_BLOCK = "goal_visibility"
    VISIBILITY_ACTION = "visibility_radio"
    KR_BLOCK = "goal_kr_"  # + row number (0…): "Title: start → target unit" or "Title: milestone"
    KR_ACTION = "kr_input"
    KR_VALUE_BLOCK = "goal_kr_value_"  # + key result id, in the update modal
    KR_VALUE_ACTION = "kr_value_input"
    PROGRESS_BLOCK = "goal_progress"
    PROGRESS_ACTION = "progress_input"
    STATUS_BLOCK = "goal_status"
    STATUS_ACTION = "status_select"
    COMMENT_BLOCK = "goal_comment"
    COMMENT_ACTION = "comment_input"
    PICK_BLOCK = "goal_pick"
    PICK_ACTION = "goal_pick_select"
    SCORE_BLOCK = "goal_score"
    SCORE_ACTION = "score_input"
    LESSONS_BLOCK = "goal_lessons"
    LESSONS_ACTION = "lessons_input"
    CARRY_BLOCK = "goal_carry"
    CARRY_ACTION = "carry_radio"
