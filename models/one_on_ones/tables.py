"""1:1 tables: manager–report pairs and their rhythm, meetings with their notes, talking points, action
items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.base import Base, TeamId, Timestamped
from models.core.tables import Person


class OneOnOnePair(Timestamped, Base):
    """A manager–report pair and its 1:1 rhythm. Created for every manager–report relation; when the
    relation ends the pair is deactivated (`ended_at`), keeping its meetings, notes and action items.
    Meetings fall on `weekday` at `local_time` in `tz` (the time zone of whoever set it), every
    `interval_weeks` weeks counted from `anchor_week` (a Monday)."""

    __tablename__ = "one_on_one_pairs"
    __table_args__ = (UniqueConstraint("manager_id", "report_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    manager_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    interval_weeks: Mapped[int] = mapped_column(Integer, default=2)
    weekday: Mapped[int] = mapped_column(Integer, default=1)
    local_time: Mapped[str] = mapped_column(String(5), default="10:00")
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    anchor_week: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    ended_at: Mapped[datetime | None]

    manager: Mapped[Person] = relationship(foreign_keys=[manager_id])
    report: Mapped[Person] = relationship(foreign_keys=[report_id])


class OneOnOneMeeting(Timestamped, Base):
    """One occurrence of a pair's 1:1 (`period` = week key). Notes make it `held`; they are private to
    the pair (and HR only if configured), enforced by `models.access`."""

    __tablename__ = "one_on_one_meetings"
    __table_args__ = (UniqueConstraint("pair_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("one_on_one_pairs.id"), index=True)
    period: Mapped[str] = mapped_column(String(16))
    scheduled_at: Mapped[datetime]
    notes: Mapped[str | None] = mapped_column(Text)
    notes_author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    held_at: Mapped[datetime | None]


class TalkingPoint(Timestamped, Base):
    """A topic either side added for the pair's next 1:1; `meeting_id` is set once it was covered."""

    __tablename__ = "talking_points"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("one_on_one_pairs.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("one_on_one_meetings.id"))


class ActionItem(Timestamped, Base):
    """An action agreed in a 1:1: shown in every agenda until marked done."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("one_on_one_pairs.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("one_on_one_meetings.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
