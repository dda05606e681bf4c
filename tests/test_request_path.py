"""The request path's store work: what a /kudos reads and writes, and the cache that spares it re-reading
who is who (`bot.services.KnownPeople`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event, func, select, text

from bot import db as db_module
from bot.db import Database
from bot.services import ABSENT_TTL, KNOWN_TTL, KnownPeople
from models.core.clock import Clock
from models.core.ports import ListedDirectory, SlackUser
from models.core.tables import OutboxMessage, Person
from models.people.directory import sync_directory
from tests.conftest import ANA, BOB, TEAM

GOOD = "for the calm launch and the clear runbook"


class SteppedClock(Clock):
    def __init__(self) -> None:
        self.seconds = 1000.0

    def monotonic(self) -> float:
        return self.seconds


def test_known_people_remember_presence_for_minutes_and_absence_for_moments():
    clock = SteppedClock()
    known = KnownPeople(clock)
    assert known.get("T1", "U1") == (None, None)
    known.put("T1", "U1", "de-DE")
    known.put("T1", "U2", None, present=False)
    assert known.get("T1", "U1") == (True, "de-DE")
    assert known.get("T2", "U1") == (None, None)  # another workspace is another person
    assert known.get("T1", "U2") == (False, None)
    clock.seconds += ABSENT_TTL + 0.1
    assert known.get("T1", "U2") == (None, None)  # an absent person may have been recorded since: read again
    assert known.get("T1", "U1") == (True, "de-DE")
    clock.seconds += KNOWN_TTL
    assert known.get("T1", "U1") == (None, None)  # a changed locale shows within KNOWN_TTL


def test_known_people_stay_bounded():
    known = KnownPeople(SteppedClock(), size=3)
    for i in range(10):
        known.put("T1", f"U{i}", None)
    assert known.get("T1", "U9") == (True, None)
    assert sum(known.get("T1", f"U{i}")[0] is not None for i in range(10)) <= 3


@contextmanager
def statements_of(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.startswith(("BEGIN", "PRAGMA")):  # SQLite's transaction start is not a query
            seen.append(" ".join(statement.split())[:80])

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def test_a_kudos_between_known_people_is_one_unit_of_work(candor):
    """Once both people are in the store, a /kudos reads nothing outside its one unit of work (the translator
    and the directory lookup answer from `KnownPeople`), and inserts each outbox row in one statement."""
    first = candor.slack.command("/kudos", f"<@{BOB}|bob> {GOOD} #teamwork", user=ANA)
    assert "Kudos sent" in first.text
    with statements_of(candor.rt.db) as seen:
        again = candor.slack.command("/kudos", f"<@{BOB}|bob> {GOOD} #customer-focus", user=ANA)
    assert "Kudos sent" in again.text
    assert not [s for s in seen if "transaction_read_only" in s or "query_only" in s], seen  # no reading
    assert not [s for s in seen if "SAVEPOINT" in s], seen  # insert-if-absent is one statement
    outbox_inserts = [s for s in seen if s.startswith("INSERT INTO outbox")]
    assert len(outbox_inserts) == 1, seen  # the post, the DM and both Home refreshes: one statement
    assert len(seen) <= 9, "\n".join(seen)  # 8 today (SQLite and PostgreSQL)
    with candor.session() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "kudos.dm")) == 2


def test_a_pooled_connection_cut_while_idle_is_replaced_before_use(pg_url, monkeypatch):
    """A database restart or a proxy's idle timeout cuts connections that sit in the pool: the next unit of
    work gets a working connection, not an error (pinged after `PING_IDLE_S` idle, not on every checkout)."""
    monkeypatch.setattr(db_module, "PING_IDLE_S", 0.0)
    db = Database(pg_url)
    try:
        with db.unit_of_work() as session:
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin = create_engine(pg_url)
        with admin.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
        admin.dispose()
        with db.unit_of_work() as session:  # the same pooled connection would fail here without the ping
            assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        db.dispose()


def test_the_directory_sync_reads_everyone_once_not_once_per_member(db):
    """The sync's unit of work runs beside requests: it reads the people and the erasure log once, then
    inserts the new and updates the changed, not a few lookups per member."""
    members = [SlackUser(id=f"U{i:05d}", name=f"m{i}", real_name=f"Member {i}", tz="Europe/Madrid")
               for i in range(60)]
    with db.unit_of_work() as session:
        sync_directory(session, TEAM, ListedDirectory(members[:30]))
    with statements_of(db) as seen, db.unit_of_work() as session:
        assert sync_directory(session, TEAM, ListedDirectory(members)) == (60, 30)
    reads = [s for s in seen if s.startswith("SELECT")]
    assert len(reads) <= 4, reads  # the clock's lock settings, the workspace, the people, the erasure log
    assert len([s for s in seen if s.startswith("INSERT INTO people")]) == 30, seen
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Person).where(Person.team_id == TEAM)) == 60
