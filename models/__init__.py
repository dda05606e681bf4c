"""Candor's domain: tables, rules and queries. Nothing here imports Slack."""

from models.checkins.tables import Checkin, CheckinReply
from models.core.base import Base
from models.core.tables import (
    Alert,
    AuditEntry,
    InboundEvent,
    OutboxMessage,
    Person,
    SlackPause,
    ViewSubmission,
    Workspace,
)
from models.feedback.tables import Feedback, FeedbackRequest, FeedbackRequestPeer
from models.goals.links import GoalKudos as GoalKudos
from models.goals.tables import Goal, GoalUpdate, KeyResult
from models.kudos.tables import Kudos, KudosRecipient, KudosValue
from models.one_on_ones.tables import ActionItem, OneOnOneMeeting, OneOnOnePair, TalkingPoint
from models.pulse.tables import PulseAnswer, PulseMember, PulseParticipation, PulseResponse, PulseWave

__all__ = [
    "ActionItem",
    "Alert",
    "AuditEntry",
    "Base",
    "Checkin",
    "CheckinReply",
    "Feedback",
    "FeedbackRequest",
    "FeedbackRequestPeer",
    "Goal",
    "GoalUpdate",
    "InboundEvent",
    "KeyResult",
    "Kudos",
    "KudosRecipient",
    "KudosValue",
    "OneOnOneMeeting",
    "OneOnOnePair",
    "OutboxMessage",
    "Person",
    "PulseAnswer",
    "PulseMember",
    "PulseParticipation",
    "PulseResponse",
    "PulseWave",
    "SlackPause",
    "TalkingPoint",
    "ViewSubmission",
    "Workspace",
]
