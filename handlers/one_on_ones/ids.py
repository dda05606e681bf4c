"""Every Slack id the 1:1 feature uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class OneOnOneIds(StrEnum):
    """Every Slack id the 1:1 feature uses, in one place."""

    COMMAND = "/1on1"
    ADD_BUTTON = "oneonone_add_point"
    NOTES_BUTTON = "oneonone_record_notes"
    DONE_BUTTON = "oneonone_item_done"
    SCHEDULE_BUTTON = "oneonone_change_schedule"
    SHOW_ALL_BUTTON = "oneonone_show_all"
    ADD_MODAL = "oneonone_add_modal"
    NOTES_MODAL = "oneonone_notes_modal"
    SCHEDULE_MODAL = "oneonone_schedule_modal"
    LIST_MODAL = "oneonone_list_modal"
    DONE_VIEW = "oneonone_done_view"
    PAIR_BLOCK = "oneonone_pair"
    PAIR_ACTION = "pair_select"
    TOPIC_BLOCK = "oneonone_topic"
    TOPIC_ACTION = "topic_input"
    NOTES_BLOCK = "oneonone_notes"
    NOTES_ACTION = "notes_input"
    ITEM_TEXT_BLOCK = "oneonone_item_text_"  # + row number (1…)
    ITEM_OWNER_BLOCK = "oneonone_item_owner_"
    ITEM_DUE_BLOCK = "oneonone_item_due_"
    ITEM_TEXT_ACTION = "item_text"
    ITEM_OWNER_ACTION = "item_owner"
    ITEM_DUE_ACTION = "item_due"
    CADENCE_BLOCK = "oneonone_cadence"
    CADENCE_ACTION = "cadence_radio"
    WEEKDAY_BLOCK = "oneonone_weekday"
    WEEKDAY_ACTION = "weekday_select"
    TIME_BLOCK = "oneonone_time"
    TIME_ACTION = "time_picker"
    ITEM_BLOCK = "oneonone_item_"  # + action item id: the block a Done button sits in
    HOME_HEADER = "home_one_on_ones"
