"""Changing the org chart, one change at a time (an HR admin, the CLI), and the lock every org change takes.

Writers take a per-workspace org lock first (`lock_org`), so two concurrent changes cannot each pass the
cycle check and together make a cycle. Nothing here commits: functions only flush."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.core.audit import record
from models.core.messages import DomainError, _t
from models.core.tables import Person, Workspace
from models.people.chart import manager_chain


class OrgError(DomainError):
    """A change to the org chart that was refused; nothing changed."""


# Why a person cannot be made a manager, or given one: (as a manager, as the person).
_INACTIVE = {
    "erased": (_t("{person} has been erased and cannot be a manager"),
               _t("{person} has been erased: only removing their manager is allowed")),
    "deactivated": (_t("{person} is deactivated and cannot be a manager"),
                    _t("{person} is deactivated: only removing their manager is allowed")),
    "bot": (_t("{person} is a bot and cannot be a manager"),
            _t("{person} is a bot: only removing their manager is allowed")),
}


def set_manager(session: Session, team_id: str, person: Person, manager: Person | None, *, actor: str) -> None:
    """Make `manager` the manager of `person` (None: top of the chart). Only flushes.

    Raises `OrgError` (nothing changed) for another workspace, oneself, a deactivated/bot/erased manager,
    a deactivated person (only clearing their manager is allowed) or a cycle. Records `org.set_manager`
    with the Slack ids before and after; setting the current manager again changes and records nothing.
    """
    for who in (person, manager):
        if who is not None and who.team_id != team_id:
            raise OrgError(_t("{person} is not in this workspace"), code="other_workspace", person=who.label)
    if manager is not None:
        if manager.id == person.id:
            raise OrgError(_t("{person} cannot be their own manager"), code="self", person=person.label)
        if problem := _inactive(manager):
            raise OrgError(_INACTIVE[problem][0], code=f"manager_{problem}", person=manager.label)
        if problem := _inactive(person):
            raise OrgError(_INACTIVE[problem][1], code=f"person_{problem}", person=person.label)

    session.flush()
    lock_org(session, team_id)
    session.refresh(person, ["manager_id"])  # the current value, now that no one else can change it
    if manager is not None:
        chain = manager_chain(session, manager)
        ids = [p.id for p in chain]
        if person.id in ids:
            path = [manager, *chain[: ids.index(person.id) + 1]]
            raise OrgError(
                _t("{manager} cannot be the manager of {person}: {person} is above them in the chart ({path})"),
                code="cycle", manager=manager.label, person=person.label, path=" → ".join(p.label for p in path))
    new_id = manager.id if manager is not None else None
    if person.manager_id == new_id:
        return
    before = session.get(Person, person.manager_id) if person.manager_id is not None else None
    person.manager_id = new_id
    session.expire(person, ["manager"])  # reloads from manager_id when next used
    session.flush()
    record(
        session,
        actor=actor,
        action="org.set_manager",
        team_id=team_id,
        subject=person.slack_user_id,
        details={
            "from": before.slack_user_id if before is not None else None,
            "to": manager.slack_user_id if manager is not None else None,
        },
    )


def _inactive(person: Person) -> str | None:
    if person.erased_at is not None:
        return "erased"
    if person.is_deleted:
        return "deactivated"
    if person.is_bot:
        return "bot"
    return None


def lock_org(session: Session, team_id: str) -> None:
    """Serialise org-chart writers of one workspace until the unit of work ends.

    PostgreSQL: a transaction-scoped advisory lock keyed on the workspace (blocks nothing else). SQLite: a
    no-op UPDATE of the workspace row, which opens the write transaction (SQLite has one writer), so the
    reads that follow see the latest committed chart.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(
            hashlib.blake2b(f"candor.org:{team_id}".encode(), digest_size=8).digest(), "big", signed=True
        )
        session.execute(select(func.pg_advisory_xact_lock(key)))
        return
    session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id)
        .values(name=Workspace.name)
        .execution_options(synchronize_session=False)
    )
