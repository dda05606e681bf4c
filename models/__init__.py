"""Candor's domain: tables, rules and queries. Nothing here imports Slack."""

from models.base import Base, utcnow
from models.tables import (
    InboundEvent,
    Kudos,
    KudosRecipient,
    KudosValue,
    OutboxMessage,
    Person,
    Workspace,
)

__all__ = [
    "Base",
    "InboundEvent",
    "Kudos",
    "KudosRecipient",
    "KudosValue",
    "OutboxMessage",
    "Person",
    "Workspace",
    "utcnow",
]
