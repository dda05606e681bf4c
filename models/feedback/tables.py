"""Feedback tables: one piece of feedback, and requests for feedback with the peers they ask."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.base import Base, TeamId
from models.core.tables import Person

VISIBILITIES = ("recipient", "recipient_and_manager", "manager")


class Feedback(Base):
    """Feedback one person (`author`) wrote about another (`subject`): the behaviour they observed, its impact,
    a concrete example (required), optionally a competency of the framework and a level on its
    behaviour-anchored scale, and the message it is about (`permalink`).

    `visibility` is the author's choice: the recipient; the recipient and their managers; or their managers
    only (`models.access`: `private_feedback`, shared or not, and `manager_feedback`). Written once per
    `source_key` (the modal's view id), so a double submit saves one. `request_peer_id` links an answer to the
    request that asked for it."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("team_id", "source_key"),
        CheckConstraint("visibility IN ('recipient', 'recipient_and_manager', 'manager')", name="visibility"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    competency: Mapped[str | None] = mapped_column(String(50))
    level: Mapped[int | None] = mapped_column(Integer)
    behaviour: Mapped[str] = mapped_column(Text)
    impact: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(30), default="recipient_and_manager")
    permalink: Mapped[str | None] = mapped_column(String(500))
    request_peer_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_request_peers.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime]
    source_key: Mapped[str] = mapped_column(String(255))

    author: Mapped[Person] = relationship(foreign_keys=[author_id])
    subject: Mapped[Person] = relationship(foreign_keys=[subject_id])


class FeedbackRequest(Base):
    """Someone (`requester`) asks peers for feedback about themselves, optionally on a topic or a competency.
    One per `source_key` (the command's trigger id)."""

    __tablename__ = "feedback_requests"
    __table_args__ = (UniqueConstraint("team_id", "source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    topic: Mapped[str] = mapped_column(String(200), default="")
    competency: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime]
    source_key: Mapped[str] = mapped_column(String(255))

    requester: Mapped[Person] = relationship()
    peers: Mapped[list[FeedbackRequestPeer]] = relationship(back_populates="request", order_by="FeedbackRequestPeer.id")


class FeedbackRequestPeer(Base):
    """One peer asked in a request: `pending` until they answer (`answered`, the feedback links back) or
    decline (`declined`). One reminder at most (`reminded_at`)."""

    __tablename__ = "feedback_request_peers"
    __table_args__ = (
        UniqueConstraint("request_id", "peer_id"),
        CheckConstraint("state IN ('pending', 'answered', 'declined')", name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("feedback_requests.id", ondelete="CASCADE"), index=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    answered_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]

    request: Mapped[FeedbackRequest] = relationship(back_populates="peers")
    peer: Mapped[Person] = relationship()
