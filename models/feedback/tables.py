"""Feedback tables: one piece of feedback, and requests for feedback with the peers they ask."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.base import Base, JSONType, TeamId
from models.core.tables import Person

VISIBILITIES = ("recipient", "recipient_and_manager", "manager")


class Feedback(Base):
    """Feedback one person (`author`) wrote about another (`subject`): the behaviour they observed, its impact,
    a concrete example (required), optionally a competency of the framework and a level on its
    behaviour-anchored scale, and the message it is about (`permalink`).

    `visibility` is the author's choice: the recipient; the recipient and their managers; or their managers
    only (`models.access`: `private_feedback`, shared or not, and `manager_feedback`). Written once per
    `source_key` (the modal's view id), so a double submit saves one. `request_peer_id` links an answer to the
    request row that asked its author for it.

    An `anonymous` answer to a request has no author (`author_id` is null) and no request row (only the
    request, `request_id`): nothing stored joins it to the peer who wrote it."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("team_id", "source_key"),
        CheckConstraint("visibility IN ('recipient', 'recipient_and_manager', 'manager')", name="visibility"),
        CheckConstraint("(author_id IS NULL) = anonymous", name="anonymous_has_no_author"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    competency: Mapped[str | None] = mapped_column(String(50))
    level: Mapped[int | None] = mapped_column(Integer)
    behaviour: Mapped[str] = mapped_column(Text)
    impact: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(30), default="recipient_and_manager")
    permalink: Mapped[str | None] = mapped_column(String(500))
    request_peer_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_request_peers.id", ondelete="SET NULL"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_requests.id", ondelete="SET NULL"),
                                                   index=True)
    created_at: Mapped[datetime]
    source_key: Mapped[str] = mapped_column(String(255))

    author: Mapped[Person | None] = relationship(foreign_keys=[author_id])
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


RELATIONS = ("manager", "peer", "report", "other")


class FeedbackRound(Base):
    """A 360 round about one person (`subject`), started by one of their managers or an HR admin (`started_by`).

    Reviewers answer a structured form (the round's `competencies`, each with a level and an example, and two
    comments) until `closes_at` (the end of the `deadline` day in the subject's time zone), or until it is
    closed early (`closed_at`) or cancelled (`cancelled_at`). In an `anonymous` round the answers of everyone
    but the manager are stored without a link to who wrote them (`FeedbackRoundAnswer.author_id` is null) and
    shown only in aggregate, and only once at least `min_reviewers` of them answered."""

    __tablename__ = "feedback_rounds"
    __table_args__ = (UniqueConstraint("team_id", "source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    competencies: Mapped[list[str]] = mapped_column(JSONType)
    # The competencies as they were when the round started (id → name, description, levels): a later change
    # of the framework neither breaks the form nor changes what the levels meant.
    framework: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    min_reviewers: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date)
    closes_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    source_key: Mapped[str] = mapped_column(String(255))

    subject: Mapped[Person] = relationship(foreign_keys=[subject_id])
    started_by: Mapped[Person] = relationship(foreign_keys=[started_by_id])
    reviewers: Mapped[list[FeedbackRoundReviewer]] = relationship(back_populates="round",
                                                                  order_by="FeedbackRoundReviewer.id")


class FeedbackRoundReviewer(Base):
    """One reviewer asked in a round, and whether they took part: `pending`, `answered` or `declined`.

    Participation only: it stops reminders and a second answer. It has no time of answering, and the answer
    does not point back to it, so that in an anonymous round nothing joins a reviewer to their answer."""

    __tablename__ = "feedback_round_reviewers"
    __table_args__ = (
        UniqueConstraint("round_id", "reviewer_id"),
        CheckConstraint("state IN ('pending', 'answered', 'declined')", name="state"),
        CheckConstraint("relation IN ('manager', 'peer', 'report', 'other')", name="relation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("feedback_rounds.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    relation: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default="pending")

    round: Mapped[FeedbackRound] = relationship(back_populates="reviewers")
    reviewer: Mapped[Person] = relationship()


class FeedbackRoundAnswer(Base):
    """One reviewer's answer to a round. Its id is random (no insertion order), it has no time of its own (the
    round's close date stands for it), and in an anonymous round it names neither its author nor their
    relation to the subject: only the manager's answer (never anonymous) and the answers of a named round
    carry `author_id` and `relation`."""

    __tablename__ = "feedback_round_answers"
    __table_args__ = (
        CheckConstraint("relation IS NULL OR relation IN ('manager', 'peer', 'report', 'other')",
                        name="relation"),
        {"sqlite_with_rowid": False},  # (SQLite) stored in the random id's order, not the order of answering
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("feedback_rounds.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    relation: Mapped[str | None] = mapped_column(String(10))
    strengths: Mapped[str] = mapped_column(Text, default="")
    improve: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[FeedbackRound] = relationship()
    author: Mapped[Person | None] = relationship()
    ratings: Mapped[list[FeedbackRoundRating]] = relationship(back_populates="answer",
                                                              order_by="FeedbackRoundRating.competency")


class FeedbackRoundRating(Base):
    """One competency in an answer: a level on its behaviour-anchored scale (optional) and an example."""

    __tablename__ = "feedback_round_ratings"
    __table_args__ = ({"sqlite_with_rowid": False},)  # no sequence: nothing follows the order of answering

    answer_id: Mapped[str] = mapped_column(ForeignKey("feedback_round_answers.id", ondelete="CASCADE"),
                                           primary_key=True)
    competency: Mapped[str] = mapped_column(String(50), primary_key=True)
    level: Mapped[int | None] = mapped_column(Integer)
    example: Mapped[str] = mapped_column(Text, default="")

    answer: Mapped[FeedbackRoundAnswer] = relationship(back_populates="ratings")
