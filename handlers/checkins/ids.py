"""Every Slack id the check-in feature uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class CheckinIds(StrEnum):
    OPEN = "checkin_open"
    MODAL = "checkin_modal"
    REPLY = "checkin_reply"
    REPLY_MODAL = "checkin_reply_modal"
    REPLY_BLOCK = "reply"
    REPLY_ACTION = "reply_input"
    ADD_TO_ONE_ON_ONE = "checkin_add_to_1on1"
    TOPIC_MODAL = "checkin_topic_modal"
    TOPIC_BLOCK = "topic"
    TOPIC_ACTION = "topic_input"
    GIVE_KUDOS = "checkin_give_kudos"
    READ_ALL = "checkin_read_all"
    ANSWER_ACTION = "answer"
