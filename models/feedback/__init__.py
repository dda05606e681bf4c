"""Feedback and 360: specific, behaviour-anchored feedback, requested from peers and safe to give.

The competency framework is in the organisation config (`feedback.competencies`). `rules` says what valid
feedback and requests are, who hears about them and who may see them (through `models.access`); `rounds` does
the same for 360 rounds (structured, anonymous by default); `prompts` schedules reminders and round results."""

from __future__ import annotations

from models.core.features import Feature
from models.feedback import agenda as _agenda
from models.feedback import digest as _digest
from models.feedback import export as _export
from models.feedback import personal_data as _personal_data
from models.feedback import prompts as _prompts
from models.feedback import rounds
from models.feedback.rules import (
    EXAMPLE_NEEDED,
    TOPIC_MAX,
    FeedbackDraft,
    FeedbackError,
    can_see,
    check_recipient,
    decline_request,
    give_feedback,
    given,
    load_request_peer,
    may_answer_anonymously,
    received,
    request_feedback,
    viewer_of,
    visible_where,
    waiting_for,
)
from models.feedback.tables import (
    VISIBILITIES,
    Feedback,
    FeedbackRequest,
    FeedbackRequestPeer,
    FeedbackRound,
    FeedbackRoundAnswer,
    FeedbackRoundRating,
    FeedbackRoundReviewer,
)

FEATURE = Feature(
    name="feedback",
    description="Behaviour-anchored feedback with a concrete example, requests to peers, and 360 rounds",
    slack="handlers.feedback",
    prompts=_prompts.PROMPTS,
    agenda_sections=_agenda.SECTIONS,
    personal_data=_personal_data.PERSONAL_DATA,
    digest_sections=_digest.SECTIONS,
    activity=_digest.ACTIVITY,
    exports=_export.EXPORTS,
)

__all__ = [
    "EXAMPLE_NEEDED",
    "FEATURE",
    "TOPIC_MAX",
    "VISIBILITIES",
    "Feedback",
    "FeedbackDraft",
    "FeedbackError",
    "FeedbackRequest",
    "FeedbackRequestPeer",
    "FeedbackRound",
    "FeedbackRoundAnswer",
    "FeedbackRoundRating",
    "FeedbackRoundReviewer",
    "can_see",
    "check_recipient",
    "decline_request",
    "give_feedback",
    "given",
    "load_request_peer",
    "may_answer_anonymously",
    "received",
    "request_feedback",
    "rounds",
    "viewer_of",
    "visible_where",
    "waiting_for",
]
