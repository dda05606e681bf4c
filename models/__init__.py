"""Candor's domain: tables, rules and queries. Nothing here imports Slack."""

from models.base import Base
from models.tables import (
    ActionItem,
    Alert,
    AuditEntry,
    Checkin,
    CheckinReply,
    InboundEvent,
    Kudos,
    KudosRecipient,
    KudosValue,
    OneOnOneMeeting,
    OneOnOnePair,
    OutboxMessage,
    Person,
    SlackPause,
    TalkingPoint,
    ViewSubmission,
    Workspace,
)

__all__ = [
    "ActionItem",
    "Alert",
    "AuditEntry",
    "Base",
    "Checkin",
    "CheckinReply",
    "InboundEvent",
    "Kudos",
    "KudosRecipient",
    "KudosValue",
    "OneOnOneMeeting",
    "OneOnOnePair",
    "OutboxMessage",
    "Person",
    "SlackPause",
    "TalkingPoint",
    "ViewSubmission",
    "Workspace",
]
