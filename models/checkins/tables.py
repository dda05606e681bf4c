"""Check-in tables: one person's answers for one week, and the manager's replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.base import Base, JSONType, TeamId, Timestamped, clock_now
from models.core.tables import Person


class Checkin(Timestamped, Base):
    """One person's check-in for one period (ISO week key of their local week, e.g. "2026-W47").

    Created on first submit, edited in place until the period closes (the next prompt); a late answer
    is still filed under its own period (`late`). `questions` keeps the wording answered, so changing
    the configured questions later never changes what an old answer meant. `manager_id` records who
    the person reported to when they answered (history stays with that manager after a change).
    """

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("person_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    period: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    mood: Mapped[int | None] = mapped_column(Integer)
    has_blocker: Mapped[bool] = mapped_column(Boolean, default=False)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(default=clock_now)
    updated_at: Mapped[datetime] = mapped_column(default=clock_now, onupdate=clock_now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    manager: Mapped[Person | None] = relationship(foreign_keys=[manager_id])


class CheckinReply(Timestamped, Base):
    """A short note from the manager back to the person about one check-in (delivered by DM)."""

    __tablename__ = "checkin_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
