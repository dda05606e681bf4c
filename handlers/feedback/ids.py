"""Every Slack id the feedback feature uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class FeedbackIds(StrEnum):
    """Every Slack id the feedback feature uses, in one place."""

    COMMAND = "/feedback"
    MODAL = "feedback_modal"
    MESSAGE_SHORTCUT = "give_feedback_for_message"
    ANSWER_BUTTON = "feedback_answer_request"
    DECLINE_BUTTON = "feedback_decline_request"
    COMPETENCY_BLOCK = "feedback_competency"
    COMPETENCY_ACTION = "feedback_competency_select"
    LEVEL_BLOCK = "feedback_level"
    LEVEL_ACTION = "feedback_level_select"
    BEHAVIOUR_BLOCK = "feedback_behaviour"
    BEHAVIOUR_ACTION = "feedback_behaviour_input"
    IMPACT_BLOCK = "feedback_impact"
    IMPACT_ACTION = "feedback_impact_input"
    EXAMPLE_BLOCK = "feedback_example"
    EXAMPLE_ACTION = "feedback_example_input"
    VISIBILITY_BLOCK = "feedback_visibility"
    VISIBILITY_ACTION = "feedback_visibility_radio"
    HOME_HEADER = "home_feedback"


# Domain field → modal block, for inline errors. The subject is sealed (no input of its own): its errors show
# on the first input, the behaviour.
FIELD_BLOCKS = {
    "subject": FeedbackIds.BEHAVIOUR_BLOCK,
    "behaviour": FeedbackIds.BEHAVIOUR_BLOCK,
    "impact": FeedbackIds.IMPACT_BLOCK,
    "example": FeedbackIds.EXAMPLE_BLOCK,
    "competency": FeedbackIds.COMPETENCY_BLOCK,
    "level": FeedbackIds.LEVEL_BLOCK,
    "visibility": FeedbackIds.VISIBILITY_BLOCK,
}
