"""The outbox: every message Candor sends outside an immediate reply is a row here first.

Rows are written in the same transaction as the record that caused them (a kudos, a due prompt), so a
message exists if and only if its cause was committed. The sender (`bot.delivery`) claims due rows with a
lease, calls Slack, and records the outcome. This module holds the state machine; it never calls Slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.core.clock import clock_of
from models.core.tables import OutboxMessage, Person, SlackPause

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
HOME_KIND = "home.publish"
# Claim order: what people read (prompts, DMs, posts) before App Home refreshes.
PRIORITY_MESSAGE, PRIORITY_REFRESH = 0, 1
# A Home refresh waits this long before it may go, so a burst of changes (or of opens) becomes one publish.
HOME_REFRESH_DELAY = timedelta(milliseconds=500)


def dedupe_key(kind: str, team_id: str, recipient: str, period: str) -> str:
    """The unique key of one message: what, where, to whom, for which period (or cause)."""
    return f"{kind}:{team_id}:{recipient}:{period}"[:255]


@dataclass(frozen=True)
class Outgoing:
    """One message to add with `enqueue_all`: the same fields as `enqueue` takes."""

    kind: str
    key: str
    recipient: Person | None = None
    channel_id: str | None = None
    payload: dict[str, Any] | None = None
    not_before: datetime | None = None
    expires_at: datetime | None = None
    priority: int = PRIORITY_MESSAGE


def enqueue_all(session: Session, team_id: str, messages: list[Outgoing]) -> None:
    """Add these messages in one statement, each unless a row with its dedupe key exists (or, for a Home
    refresh, one is still pending for that person: `uq_outbox_home_pending` merges them). The rows are
    not loaded back: a request that enqueues a kudos' post, DMs and refreshes pays for one INSERT."""
    if not messages:
        return
    now = clock_of(session).now()
    rows = []
    for m in messages:
        if m.recipient is None and m.channel_id is None:
            raise ValueError("an outbox message needs a recipient or a channel")
        rows.append(dict(
            team_id=team_id, kind=m.kind, dedupe_key=m.key, recipient_id=m.recipient.id if m.recipient else None,
            channel_id=m.channel_id, payload=m.payload or {}, state="pending", attempts=0, priority=m.priority,
            not_before=m.not_before or now, expires_at=m.expires_at, uncertain=False, updated_at=now,
        ))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # executemany of one cached statement (a multi-row VALUES would be compiled anew for each row count)
    table = OutboxMessage.__table__
    assert isinstance(table, Table)
    session.execute(insert(table).on_conflict_do_nothing(), rows)


def home_refresh(session: Session, person: Person, *, cause: str) -> Outgoing:
    """A refresh of this person's App Home, to pass to `enqueue_all` with the change's other messages."""
    return Outgoing(kind=HOME_KIND, key=dedupe_key(HOME_KIND, person.team_id, person.slack_user_id, cause),
                    recipient=person, not_before=clock_of(session).now() + HOME_REFRESH_DELAY,
                    priority=PRIORITY_REFRESH)


def enqueue(
    session: Session,
    *,
    team_id: str,
    kind: str,
    key: str,
    recipient: Person | None = None,
    channel_id: str | None = None,
    payload: dict[str, Any] | None = None,
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
    priority: int = PRIORITY_MESSAGE,
) -> OutboxMessage:
    """Add a message unless one with this dedupe key exists; either way return the row."""
    if recipient is None and channel_id is None:
        raise ValueError("an outbox message needs a recipient or a channel")
    values = dict(
        team_id=team_id,
        kind=kind,
        dedupe_key=key,
        recipient_id=recipient.id if recipient is not None else None,
        channel_id=channel_id,
        payload=payload or {},
        not_before=not_before or clock_of(session).now(),
        expires_at=expires_at,
        priority=priority,
    )
    # One statement: insert unless the key exists (here, or in a transaction that committed first).
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    row = session.scalars(
        insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage)
    ).one_or_none()
    if row is None:
        return session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).one()
    return row


@dataclass(frozen=True)
class Claimed:
    id: int
    reconcile: bool  # the previous lease expired mid-send: look in Slack before sending again
    lease_started: datetime


def _due(now: datetime) -> ColumnElement[bool]:
    return ((OutboxMessage.state == "pending") & (OutboxMessage.not_before <= now)) | (
        (OutboxMessage.state == "sending") & (OutboxMessage.lease_until < now))


def has_due(session: Session, *, now: datetime | None = None) -> bool:
    """Whether any row is due now (`claim` would lease something). Only reads."""
    now = now or clock_of(session).now()
    return session.scalar(select(OutboxMessage.id).where(_due(now)).limit(1)) is not None


def claim(
    session: Session, owner: str, *, now: datetime | None = None, limit: int = 20, lease: timedelta = LEASE
) -> list[Claimed]:
    """Lease up to `limit` due rows to `owner`. Safe with several senders on PostgreSQL.

    Due rows are `pending` ones whose `not_before` has passed and `sending` ones whose lease expired
    (their sender died), messages before Home refreshes. PostgreSQL: `FOR UPDATE SKIP LOCKED`. SQLite (one
    process): a conditional update.
    """
    now = now or clock_of(session).now()
    due = _due(now)
    candidates = select(OutboxMessage.id, OutboxMessage.state, OutboxMessage.uncertain).where(due).order_by(
        OutboxMessage.priority, OutboxMessage.not_before, OutboxMessage.id
    ).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(candidates.with_for_update(skip_locked=True)).all()
    else:
        rows = session.execute(candidates).all()
    claimed: list[Claimed] = []
    for row_id, state, uncertain in rows:
        # A `sending` row whose lease expired may be in Slack already (its sender died between Slack's
        # answer and the commit). It stays `uncertain` until it is marked sent, so a reconciliation that
        # fails (429, 5xx on conversations.history) is tried again instead of being forgotten.
        reconcile = state == "sending" or bool(uncertain)
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.state == state, due)
            .values(
                state="sending",
                lease_until=now + lease,
                lease_owner=owner,
                attempts=OutboxMessage.attempts + 1,
                uncertain=reconcile,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(Claimed(id=row_id, reconcile=reconcile, lease_started=now))
    session.flush()
    return claimed


def renew(
    session: Session,
    row_id: int,
    owner: str,
    *,
    lease: timedelta = LEASE,
    lease_started: datetime | None = None,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Make sure `owner` still holds the row right before it calls Slack, extending the lease; None when
    the row is no longer its to send.

    A sender that claimed a batch may reach a row after the lease ran out and another sender took the
    row over (and sent it). Sending it anyway would post twice: the lease is checked and extended in
    one conditional UPDATE, atomic against `claim`'s. A lease still in its first half (`lease_started`
    given) cannot have been taken over: reading the row is enough, which saves a write per message.
    """
    now = now or clock_of(session).now()
    if lease_started is not None and now < lease_started + lease / 2:
        row = session.get(OutboxMessage, row_id)
        return row if row is not None and row.state == "sending" and row.lease_owner == owner else None
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.state == "sending", OutboxMessage.lease_owner == owner)
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(OutboxMessage, row_id, populate_existing=True)


def _owned(session: Session, row_id: int, owner: str) -> OutboxMessage | None:
    row = session.get(OutboxMessage, row_id, with_for_update=session.get_bind().dialect.name == "postgresql")
    if row is None or row.state != "sending" or row.lease_owner != owner:
        return None  # the lease was lost to another sender; it owns the outcome now
    return row


def mark_sent(session: Session, row_id: int, owner: str, *, ts: str | None, channel_id: str | None) -> bool:
    """Record Slack's ts, if `owner` still holds the row (one conditional UPDATE: the hot path)."""
    now = clock_of(session).now()
    values: dict[str, Any] = {
        "state": "sent", "sent_ts": ts, "sent_at": now, "lease_until": None, "last_error": None, "uncertain": False,
        "updated_at": now,
    }
    if channel_id:
        values["channel_id"] = channel_id
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.state == "sending", OutboxMessage.lease_owner == owner)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def mark_dead(session: Session, row_id: int, owner: str, error: str) -> bool:
    row = _owned(session, row_id, owner)
    if row is None:
        return False
    row.state, row.last_error, row.lease_until = "dead", error[:2000], None
    session.flush()
    return True


def mark_skipped(session: Session, row_id: int, owner: str, reason: str) -> bool:
    row = _owned(session, row_id, owner)
    if row is None:
        return False
    row.state, row.last_error, row.lease_until = "skipped", reason, None
    session.flush()
    return True


def forget(session: Session, row_id: int, owner: str) -> bool:
    """Delete a handled row whose mere outcome says too much (a pulse reminder sent or skipped tells who has
    answered): no record is left that it existed."""
    row = _owned(session, row_id, owner)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def release(
    session: Session,
    row_id: int,
    owner: str,
    *,
    at: datetime,
    error: str | None = None,
    count_attempt: bool,
    uncertain: bool = False,
) -> bool:
    """Give the row back for a later try (rate limit, 5xx, busy channel). Too many failures: dead."""
    row = _owned(session, row_id, owner)
    if row is None:
        return False
    if not count_attempt:
        row.attempts = max(0, row.attempts - 1)
    elif row.attempts >= MAX_ATTEMPTS:
        row.state, row.last_error, row.lease_until = "dead", f"gave up after {row.attempts} tries: {error}", None
        session.flush()
        return True
    if row.kind == HOME_KIND and _home_pending(session, row.recipient_id):
        # A newer refresh for this person waits already (at most one may): it renders the latest Home.
        row.state, row.last_error, row.lease_until = "skipped", "merged into a newer Home refresh", None
        session.flush()
        return True
    row.state, row.not_before, row.lease_until, row.lease_owner = "pending", at, None, None
    row.uncertain = row.uncertain or uncertain
    if error:
        row.last_error = error[:2000]
    session.flush()
    return True


def _home_pending(session: Session, recipient_id: int | None) -> bool:
    return session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.recipient_id == recipient_id, OutboxMessage.kind == HOME_KIND,
        OutboxMessage.state == "pending").limit(1)) is not None


def set_channel(session: Session, row_id: int, owner: str, channel_id: str) -> None:
    row = _owned(session, row_id, owner)
    if row is not None:
        row.channel_id = channel_id
        session.flush()


def retry(session: Session, *, row_id: int | None = None, dead: bool = False) -> int:
    """Operator: put a dead (or skipped) row, or every dead row, back to pending. Returns how many.

    A Home refresh is not put back (one pending refresh per person, and an old one has nothing to say): the
    person gets one new refresh instead, counted once."""
    chosen = (OutboxMessage.id == row_id) & OutboxMessage.state.in_(["dead", "skipped"]) if row_id is not None \
        else (OutboxMessage.state == "dead") if dead else None
    if chosen is None:
        raise ValueError("name a row id or --dead")
    homes = list(session.scalars(select(Person).where(Person.id.in_(
        select(OutboxMessage.recipient_id).where(chosen, OutboxMessage.kind == HOME_KIND)))))
    for person in homes:
        request_home_refresh(session, person, cause=f"retry-{clock_of(session).now().timestamp()}")
    # An operator's retry is deliberate: no expiry, no stale error.
    stmt = update(OutboxMessage).where(chosen, OutboxMessage.kind != HOME_KIND).values(
        state="pending", attempts=0, not_before=clock_of(session).now(), lease_until=None, lease_owner=None,
        expires_at=None, last_error=None,
    )
    result = session.execute(stmt.execution_options(synchronize_session=False))
    session.flush()
    return int(result.rowcount) + len(homes)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OutboxStatus:
    counts: dict[tuple[str, str], int]  # (state, kind) -> rows
    oldest_pending: datetime | None


def status(session: Session) -> OutboxStatus:
    counts = {
        (state, kind): n
        for state, kind, n in session.execute(
            select(OutboxMessage.state, OutboxMessage.kind, func.count()).group_by(
                OutboxMessage.state, OutboxMessage.kind
            )
        ).all()
    }
    oldest = session.scalar(
        select(func.min(OutboxMessage.not_before)).where(OutboxMessage.state == "pending")
    )
    return OutboxStatus(counts=counts, oldest_pending=oldest)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(5 * 2 ** max(0, attempts - 1), 3600))


def request_home_refresh(session: Session, person: Person, *, cause: str) -> None:
    """Re-publish this person's App Home. Refreshes merge: while one is still waiting to go, asking again
    changes nothing (the Home is rendered from the store when it is sent, so it shows the latest; the
    partial unique index `uq_outbox_home_pending` holds one pending refresh per person). A new one waits
    `HOME_REFRESH_DELAY`, gathering a burst into one publish, and goes after messages."""
    enqueue_all(session, person.team_id, [home_refresh(session, person, cause=cause)])


def paused_until(session: Session, team_id: str, method: str, *, now: datetime | None = None) -> datetime | None:
    """When Slack's last 429 for this method and workspace allows calls again (None: not paused)."""
    row = session.get(SlackPause, (team_id, method))
    if row is None or row.until <= (now or clock_of(session).now()):
        return None
    return row.until


def pauses(session: Session, team_id: str, *, now: datetime | None = None) -> dict[str, datetime]:
    """Every method of this workspace still inside a Retry-After window, with its end."""
    now = now or clock_of(session).now()
    found = session.execute(
        select(SlackPause.method, SlackPause.until).where(SlackPause.team_id == team_id, SlackPause.until > now)
    ).all()
    return {method: until for method, until in found}


def pause(session: Session, team_id: str, method: str, until: datetime) -> None:
    """Record a Retry-After window so every sender, on every replica, waits it out. (`method` may be a window
    key, `chat.postMessage:<channel>`; windows long closed are forgotten here.)"""
    session.execute(delete(SlackPause).where(SlackPause.team_id == team_id,
                                             SlackPause.until < clock_of(session).now() - timedelta(minutes=5)))
    try:
        with session.begin_nested():
            row = session.get(SlackPause, (team_id, method), with_for_update=True)
            if row is None:
                session.add(SlackPause(team_id=team_id, method=method, until=until))
            elif row.until < until:
                row.until = until
            session.flush()
    except IntegrityError:  # a concurrent sender inserted it first: extend theirs
        row = session.get(SlackPause, (team_id, method), populate_existing=True)
        if row is not None and row.until < until:
            row.until = until
            session.flush()
