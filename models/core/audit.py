"""The audit log of admin actions. Only `record` writes; nothing updates or deletes (triggers refuse)."""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core.tables import AuditEntry


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli:unknown"


def slack_actor(user_id: str) -> str:
    return f"slack:{user_id}"


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    team_id: str | None = None,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(team_id=team_id, actor=actor, action=action, subject=subject, details=details or {})
    session.add(entry)
    session.flush()
    return entry


def entries(
    session: Session, *, action: str | None = None, since: datetime | None = None, limit: int = 100
) -> list[AuditEntry]:
    q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        q = q.where(AuditEntry.action == action)
    if since:
        q = q.where(AuditEntry.created_at >= since)
    return list(session.scalars(q))
