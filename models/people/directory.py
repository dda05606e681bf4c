"""People: mirror Slack's directory into `people`, and look people up."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.core.clock import clock_of
from models.core.ports import Directory, SlackUser
from models.core.tables import AuditEntry, Person, Workspace


def _insert(session: Session, table: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING for the session's dialect (SQLite and PostgreSQL both have it)."""
    dialect = session.get_bind().dialect.name
    return (pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)).on_conflict_do_nothing()


def ensure_workspace(session: Session, team_id: str, name: str = "") -> Workspace:
    """The workspace row, created if needed; safe when two requests create it at the same moment."""
    ws = session.get(Workspace, team_id)
    if ws is None:
        session.execute(_insert(session, Workspace).values(team_id=team_id, name=name,
                                                           created_at=clock_of(session).now()))
        ws = session.get(Workspace, team_id, populate_existing=True)
        assert ws is not None
    elif name and ws.name != name:
        ws.name = name
    return ws


def person_by_slack_id(session: Session, team_id: str, user_id: str) -> Person | None:
    return session.scalars(
        select(Person).where(Person.team_id == team_id, Person.slack_user_id == user_id)
    ).one_or_none()


ERASE_ACTION = "privacy.erase"  # the audit log's record of an erasure (`models.privacy.erase_person`)


def erased_at(session: Session, team_id: str, slack_user_id: str) -> datetime | None:
    """When this Slack id's data was erased here, or None (the audit log keeps that fact, nothing else)."""
    return session.scalar(
        select(AuditEntry.created_at)
        .where(AuditEntry.action == ERASE_ACTION, AuditEntry.team_id == team_id, AuditEntry.subject == slack_user_id)
        .order_by(AuditEntry.id)
        .limit(1)
    )


def was_erased(session: Session, team_id: str, slack_user_id: str) -> bool:
    """True when this Slack id's data was erased here. Directory sync does not re-create an erased person
    from Slack: it asks this first."""
    return erased_at(session, team_id, slack_user_id) is not None


def upsert_person(session: Session, team_id: str, user: SlackUser, *, now: datetime | None = None) -> Person | None:
    """Create or update one person from Slack's view of them.

    A reactivated member comes back as the same row (unique on team + Slack id). An erased person is
    never re-created from Slack (None): erasure replaced their Slack id, so a sync or an event would
    otherwise bring them back as a new row. A partial user (only what a payload carried, see
    `SlackUser.partial`) creates the row as far as known, unsynced (`synced_at` empty), and changes nothing
    on a row that exists: the directory sync completes it.
    """
    ensure_workspace(session, team_id)
    return _upsert(session, team_id, user, person_by_slack_id(session, team_id, user.id), now=now)


def _upsert(session: Session, team_id: str, user: SlackUser, person: Person | None, *, now: datetime | None,
            erased: bool | None = None, flush: bool = True) -> Person | None:
    """`upsert_person` once the row (or its absence) is known; `erased`: whether the id was erased, if known."""
    if person is None:
        if erased if erased is not None else was_erased(session, team_id, user.id):
            return None
        # Two events about a new member can arrive together: insert-if-absent (one statement), else load
        # whichever won.
        now_ = clock_of(session).now()
        person = session.scalars(_insert(session, Person).values(
            team_id=team_id, slack_user_id=user.id, name="" if user.complete else user.name, real_name="",
            display_name="", is_bot=False, is_deleted=False, is_hr_admin=False, created_at=now_, updated_at=now_,
        ).returning(Person)).one_or_none() or person_by_slack_id(session, team_id, user.id)
        assert person is not None
    if not user.complete:
        return person
    if person.erased_at is None:
        person.name = user.name
        person.real_name = user.real_name
        person.display_name = user.display_name
        person.email = user.email.lower() if user.email else None
        person.tz = user.tz
        if user.locale:
            person.locale = user.locale
    person.is_bot = user.is_bot
    person.is_deleted = user.deleted
    person.synced_at = now or clock_of(session).now()
    if flush:
        session.flush()
    return person


def ensure_people(
    session: Session, team_id: str, user_ids: Sequence[str], directory: Directory
) -> dict[str, Person | None]:
    """People for these Slack ids, asking Slack only about ids we have never seen.

    Returns None for an id Slack does not know.
    """
    found: dict[str, Person | None] = {}
    known: dict[str, Person | None] = {
        p.slack_user_id: p
        for p in session.scalars(
            select(Person).where(Person.team_id == team_id, Person.slack_user_id.in_(list(user_ids)))
        )
    }
    unknown = [uid for uid in dict.fromkeys(user_ids) if uid not in known]
    erased: set[str] = set()
    if unknown:  # one look at the workspace and the erasure log for all of them
        ensure_workspace(session, team_id)
        erased = set(session.scalars(select(AuditEntry.subject).where(
            AuditEntry.action == ERASE_ACTION, AuditEntry.team_id == team_id, AuditEntry.subject.in_(unknown))))
    for uid in user_ids:
        person = known.get(uid)
        if person is None:
            slack_user = directory.user(uid)
            person = (_upsert(session, team_id, slack_user, None, now=None, erased=uid in erased)
                      if slack_user is not None else None)
            known[uid] = person  # (an id listed twice is recorded once)
        found[uid] = person
    return found


def sync_directory(session: Session, team_id: str, directory: Directory) -> tuple[int, int]:
    """Mirror every member. Returns (seen, newly created). The caller should fetch first (see
    `scheduler.jobs.people_sync`): walking a paginated directory inside a transaction holds it for minutes.

    Everyone already here, and every erased id, is read once (not per member), and changes are flushed once:
    the nightly sync of a large workspace is one short unit of work."""
    now = clock_of(session).now()
    ensure_workspace(session, team_id)
    existing = {p.slack_user_id: p for p in session.scalars(select(Person).where(Person.team_id == team_id))}
    erased = set(session.scalars(select(AuditEntry.subject).where(
        AuditEntry.action == ERASE_ACTION, AuditEntry.team_id == team_id)))
    seen = created = 0
    for user in directory.users():
        person = existing.get(user.id)
        result = _upsert(session, team_id, user, person, now=now, erased=user.id in erased, flush=False)
        if person is None and result is not None:  # (erased people are skipped and never counted as new)
            existing[user.id] = result
            created += 1
        seen += 1
    session.flush()
    return seen, created


def labels(people: Iterable[Person]) -> list[str]:
    return [p.label for p in people]
