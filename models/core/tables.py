"""Tables every feature builds on: workspaces and people (the directory mirrored from Slack), the
outbox and what delivery needs, inbound events, the audit log, alerts and handled modal submissions.
Each class's docstring says what one row is and how it changes over its life."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.base import Base, JSONType, SlackId, TeamId, Timestamped, clock_now


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
        """A person who may get prompts, be chosen, see things: not deactivated, not a bot, not erased.
        `active_person()` is the same test in SQL."""
        return not (self.is_deleted or self.is_bot or self.erased_at is not None)


def active_person(person: Any) -> tuple[ColumnElement[bool], ...]:
    """`Person.active` in SQL, for `Person` or an alias of it."""
    return (person.is_deleted.is_(False), person.is_bot.is_(False), person.erased_at.is_(None))


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
        # At most one pending App Home refresh per person: asking again while one waits is a no-op.
        Index("uq_outbox_home_pending", "recipient_id", unique=True,
              sqlite_where=text("kind = 'home.publish' AND state = 'pending'"),
              postgresql_where=text("kind = 'home.publish' AND state = 'pending'")),
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


class DigestPost(Base):
    """The HR digest of one week, as queued for the HR channel: once per week, then each re-run for that week
    (`revision` 1, 2, …) updates the messages posted the first time instead of posting again."""

    __tablename__ = "digest_posts"
    __table_args__ = (UniqueConstraint("team_id", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    week: Mapped[str] = mapped_column(String(10))
    channel_id: Mapped[str] = mapped_column(SlackId)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    sections: Mapped[list[str]] = mapped_column(JSONType, default=list)  # section keys posted the first time
    created_at: Mapped[datetime] = mapped_column(default=clock_now)
    updated_at: Mapped[datetime] = mapped_column(default=clock_now)


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
