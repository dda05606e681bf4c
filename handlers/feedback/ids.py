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
    ANONYMOUS_BLOCK = "feedback_anonymous"
    ANONYMOUS_ACTION = "feedback_anonymous_check"
    HOME_HEADER = "home_feedback"
    # 360 rounds
    ROUND_START_MODAL = "feedback_round_start"
    ROUND_ANSWER_MODAL = "feedback_round_answer"
    ROUND_REVIEWERS_BLOCK = "round_reviewers"
    ROUND_REVIEWERS_ACTION = "round_reviewers_select"
    ROUND_DEADLINE_BLOCK = "round_deadline"
    ROUND_DEADLINE_ACTION = "round_deadline_pick"
    ROUND_COMPETENCIES_BLOCK = "round_competencies"
    ROUND_COMPETENCIES_ACTION = "round_competencies_select"
    ROUND_ANONYMOUS_BLOCK = "round_anonymous"
    ROUND_ANONYMOUS_ACTION = "round_anonymous_radio"
    ROUND_LEVEL_BLOCK = "round_level"  # + ":<competency id>"
    ROUND_LEVEL_ACTION = "round_level_select"
    ROUND_EXAMPLE_BLOCK = "round_example"  # + ":<competency id>"
    ROUND_EXAMPLE_ACTION = "round_example_input"
    ROUND_STRENGTHS_BLOCK = "round_strengths"
    ROUND_STRENGTHS_ACTION = "round_strengths_input"
    ROUND_IMPROVE_BLOCK = "round_improve"
    ROUND_IMPROVE_ACTION = "round_improve_input"
    ROUND_ANSWER_BUTTON = "feedback_round_answer_open"
    ROUND_DECLINE_BUTTON = "feedback_round_decline"
    ROUND_RESULTS_BUTTON = "feedback_round_results"
    ROUND_CANCEL_BUTTON = "feedback_round_cancel"


def round_block(prefix: FeedbackIds, competency: str) -> str:
    """The block id of one competency's input in the 360 form (`round_level:collaboration`)."""
    return f"{prefix.value}:{competency}"


# Round-start domain field → modal block.
ROUND_FIELD_BLOCKS = {
    "subject": FeedbackIds.ROUND_REVIEWERS_BLOCK,
    "reviewers": FeedbackIds.ROUND_REVIEWERS_BLOCK,
    "deadline": FeedbackIds.ROUND_DEADLINE_BLOCK,
    "competencies": FeedbackIds.ROUND_COMPETENCIES_BLOCK,
}


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
    "anonymous": FeedbackIds.ANONYMOUS_BLOCK,
}
