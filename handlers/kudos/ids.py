"""Every Slack id the kudos feature uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class KudosIds(StrEnum):
    """Every Slack id the kudos feature uses, in one place."""

    COMMAND = "/kudos"
    MODAL = "kudos_modal"
    GLOBAL_SHORTCUT = "give_kudos"
    MESSAGE_SHORTCUT = "give_kudos_for_message"
    HOME_BUTTON = "home_give_kudos"
    RECIPIENTS_BLOCK = "recipients"
    RECIPIENTS_ACTION = "recipients_select"
    VALUES_BLOCK = "values"
    VALUES_ACTION = "values_select"
    MESSAGE_BLOCK = "message"
    MESSAGE_ACTION = "message_input"


# Domain field → modal block, for inline errors.
FIELD_BLOCKS = {
    "recipients": KudosIds.RECIPIENTS_BLOCK,
    "values": KudosIds.VALUES_BLOCK,
    "message": KudosIds.MESSAGE_BLOCK,
}
