"""The tables. Each class's docstring says what one row is and how it changes over its life."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, JSONType, SlackId, TeamId, Timestamped, clock_now


class Workspace(Timestamped, Base):
    """A Slack workspace (team) this deployment serves. Created on first contact."""

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(TeamId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    # When the due-prompt tick last ran for this workspace: after downtime, the next tick looks back
    # to here, so every prompt that fell due meanwhile is either sent (within grace) or recorded as skipped.
    last_tick_at: Mapped[datetime | None]


class Person(Timestamped, Base):
    """A member of a workspace, mirrored from Slack's directory.

    Rows are never deleted while history points at them: a deactivated member keeps `is_deleted=True`
    (no prompts, cannot be picked as a recipient) and becomes the same row again when reactivated.
    Erasure anonymises the row in place (`erased_at`), keeping aggregates consistent.
    """

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    slack_user_id: Mapped[str] = mapped_column(SlackId)
    name: Mapped[str] = mapped_column(String(200), default="")
    real_name: Mapped[str] = mapped_column(String(200), default="")
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    tz: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    dm_channel_id: Mapped[str | None] = mapped_column(SlackId)
    synced_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=clock_now, onupdate=clock_now)

    # Org chart (filled by `candor org import` or HR admins).
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    is_hr_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_until: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]

    manager: Mapped[Person | None] = relationship(remote_side=[id], foreign_keys=[manager_id])

    @property
    def label(self) -> str:
        """The name people know this person by (display name, else real name, else handle)."""
        return self.display_name or self.real_name or self.name or self.slack_user_id

    @property
    def active(self) -> bool:
        return not (self.is_deleted or self.is_bot or self.erased_at is not None)


class Kudos(Timestamped, Base):
    """One recognition: a giver, a message, one or more recipients and company values.

    Written once, in one transaction with its recipients, values and outbox messages. `source_key`
    (the modal's view id or the command's trigger id) is unique, so a double submit saves one kudos.
    """

    __tablename__ = "kudos"
    __table_args__ = (UniqueConstraint("team_id", "source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    giver_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    origin_channel_id: Mapped[str | None] = mapped_column(SlackId)
    permalink: Mapped[str | None] = mapped_column(String(500))
    source_key: Mapped[str] = mapped_column(String(255))

    giver: Mapped[Person] = relationship(foreign_keys=[giver_id])
    recipients: Mapped[list[KudosRecipient]] = relationship(
        back_populates="kudos", cascade="all, delete-orphan", order_by="KudosRecipient.position"
    )
    values: Mapped[list[KudosValue]] = relationship(
        back_populates="kudos", cascade="all, delete-orphan", order_by="KudosValue.value"
    )


class KudosRecipient(Base):
    __tablename__ = "kudos_recipients"

    kudos_id: Mapped[int] = mapped_column(ForeignKey("kudos.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    kudos: Mapped[Kudos] = relationship(back_populates="recipients")
    person: Mapped[Person] = relationship()


class KudosValue(Base):
    __tablename__ = "kudos_values"

    kudos_id: Mapped[int] = mapped_column(ForeignKey("kudos.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[str] = mapped_column(String(50), primary_key=True)

    kudos: Mapped[Kudos] = relationship(back_populates="values")


class OutboxMessage(Timestamped, Base):
    """One outbound Slack call (a message or a Home tab publish), delivered exactly once.

    Life: `pending` → `sending` (claimed with a lease) → `sent` (Slack's ts kept) or `dead` (a
    permanent Slack error, kept with the reason). A row whose lease expired is reconciled against
    Slack (our id travels in the message metadata) before it is sent again. `skipped` marks a prompt
    that was not useful any more (downtime past the grace window, paused person).
    `dedupe_key` is unique: enqueueing the same (kind, workspace, recipient, period) twice is a no-op.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        CheckConstraint("state IN ('pending', 'sending', 'sent', 'dead', 'skipped')", name="state"),
        Index("ix_outbox_due", "state", "priority", "not_before"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    kind: Mapped[str] = mapped_column(String(64))
    dedupe_key: Mapped[str] = mapped_column(String(255))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    channel_id: Mapped[str | None] = mapped_column(SlackId)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Claim order among due rows: 0 for what people read, 1 for App Home refreshes (see models.outbox).
    priority: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    not_before: Mapped[datetime] = mapped_column(default=clock_now)
    expires_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    # The last try may have reached Slack (timeout, lost answer): look for it before sending again.
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_ts: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=clock_now, onupdate=clock_now)


class InboundEvent(Base):
    """An Events API delivery we have seen, keyed by Slack's `event_id`.

    Stored (with its payload) before Slack gets our ack, so a crash after the ack loses nothing: the
    replay job handles rows still `received` or `failed` later. `done` is written in the same
    transaction as the handler's effects, so a retry (`X-Slack-Retry-Num`) of a done event is ignored
    and a retry of one whose first delivery failed runs again.
    """

    __tablename__ = "inbound_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId)
    event_type: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="received")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    received_at: Mapped[datetime] = mapped_column(default=clock_now)
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """One admin action (role change, manager change, import, export, erasure): who, what, when.

    Append-only: the migration installs triggers that refuse UPDATE and DELETE on both databases.
    `subject` keeps the Slack id of the person acted on, so the log still says what happened after an
    erasure (the log is the one place allowed to name an erased person).
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str | None] = mapped_column(TeamId, index=True)
    actor: Mapped[str] = mapped_column(String(200))  # "slack:U123" or "cli:<os user>"
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock_now, index=True)


class SlackPause(Base):
    """Slack said 429 for this method in this workspace: no sender (on any replica) calls it before `until`."""

    __tablename__ = "slack_pauses"

    team_id: Mapped[str] = mapped_column(TeamId, primary_key=True)
    method: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[datetime]


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


class Alert(Timestamped, Base):
    """Something HR should see in the digest (missed check-ins, a pair with no 1:1 for weeks). One per
    kind, subject and period; `nudged_at` records the one gentle nudge sent to the manager."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("team_id", "kind", "subject", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64))  # "person:<id>" or "pair:<id>"
    period: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("one_on_one_pairs.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    resolved_at: Mapped[datetime | None]


class ViewSubmission(Base):
    """A modal submission that was handled, keyed by Slack's view id, the submitting user and the kind of form:
    a second submit of the same view (a double click, two requests at once) gets the first one's answer
    instead of doing the work again. The view id comes back from the client: with the user and the form in
    the key, one person cannot see or block another's submission by sending their view id. `result` holds
    what the answer needs (record ids, flags; no personal content). Kept for two days."""

    __tablename__ = "view_submissions"

    view_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(SlackId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId)
    result: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock_now, index=True)
