"""Candor's domain: tables, rules and queries. Nothing here imports Slack."""

from models.base import Base, utcnow
from models.tables import (
    AuditEntry,
    InboundEvent,
    Kudos,
    KudosRecipient,
    KudosValue,
    OutboxMessage,
    Person,
    Workspace,
)

__all__ = [
    "AuditEntry",
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
