"""Goals tables: a goal, its key results and the history of its updates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.base import Base, JSONType, TeamId, Timestamped
from models.core.tables import Person

LEVELS = ("organisation", "department", "person")
STATUSES = ("on_track", "at_risk", "off_track")
STATES = ("active", "closed")
VISIBILITIES = ("public", "private")
KR_KINDS = ("metric", "milestone")


class Goal(Timestamped, Base):
    """One goal for one period (e.g. "2026-Q4", from `starts_on` to `ends_on` inclusive).

    `level` says whose goal it is: the organisation's, a department's (`department`) or a person's. `owner`
    is always a person: the one who answers for it (for a person's goal, that person; for a department's,
    its manager; for the organisation's, the HR admin or leader who set it). Visibility follows the owner
    (`models.access`, kinds `goal_public` / `goal_private`).

    `parent` aligns it with a goal one level up (organisation → department → person). Progress rolls up
    from its key results (`models.goals.progress`); a goal without key results carries `progress` itself.
    `slug` (from the title, unique in the workspace) names it in text, e.g. `/kudos @ana +grow-revenue-north`.
    `status` is what the owner last said (None: Candor's suggestion stands). `last_update_at` is the last
    time anyone recorded progress (creation counts), from which a stall is measured. A goal is created once
    per `source_key` (the modal's view id, an import line), so a double submit makes one goal.

    At the close-out (`state` = "closed") the owner records `final_score` (0–1) and `lessons`; a goal carried
    over points to its successor in the next period (`carried_to_id`).
    """

    __tablename__ = "goals"
    __table_args__ = (
        UniqueConstraint("team_id", "source_key"),
        UniqueConstraint("team_id", "slug"),
        CheckConstraint("level IN ('organisation', 'department', 'person')", name="level"),
        CheckConstraint("state IN ('active', 'closed')", name="state"),
        CheckConstraint("visibility IN ('public', 'private')", name="visibility"),
        Index("ix_goals_team_period", "team_id", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    level: Mapped[str] = mapped_column(String(20), default="person")
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(60))  # "grow-revenue-north": `+grow-revenue-north` in /kudos
    description: Mapped[str] = mapped_column(Text, default="")
    period: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    status: Mapped[str | None] = mapped_column(String(10))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    state: Mapped[str] = mapped_column(String(10), default="active")
    last_update_at: Mapped[datetime]
    final_score: Mapped[float | None] = mapped_column(Float)
    lessons: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    carried_to_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"))
    source_key: Mapped[str] = mapped_column(String(255))

    owner: Mapped[Person] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[Person | None] = relationship(foreign_keys=[created_by_id])
    parent: Mapped[Goal | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    key_results: Mapped[list[KeyResult]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", order_by="KeyResult.position"
    )

    @property
    def active(self) -> bool:
        return self.state == "active"


class KeyResult(Base):
    """A measurable result of a goal: a `metric` from `start_value` to `target_value` (in `unit`; a target
    below the start is a reduction), or a `milestone` from 0 to 100 %. `weight` weighs it in the goal's
    progress (all 1 by default)."""

    __tablename__ = "goal_key_results"
    __table_args__ = (CheckConstraint("kind IN ('metric', 'milestone')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="metric")
    start_value: Mapped[float] = mapped_column(Float, default=0.0)
    target_value: Mapped[float] = mapped_column(Float, default=100.0)
    current_value: Mapped[float] = mapped_column(Float, default=0.0)
    unit: Mapped[str] = mapped_column(String(20), default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)

    goal: Mapped[Goal] = relationship(back_populates="key_results")


class GoalUpdate(Base):
    """One change to a goal, in its history: who, when, the comment, the status they set, the progress
    after it, and the key results' new values (`values`: key result id → value). `source` says where it was
    made (the update modal, a check-in, a nudge, the close-out, an import, creation). `source_key` makes a
    double submit record one update."""

    __tablename__ = "goal_updates"
    __table_args__ = (UniqueConstraint("goal_id", "source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(20), default="modal")
    source_key: Mapped[str] = mapped_column(String(255))
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str | None] = mapped_column(String(10))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    values: Mapped[dict[str, float]] = mapped_column(JSONType, default=dict)

    goal: Mapped[Goal] = relationship()
    author: Mapped[Person | None] = relationship()
