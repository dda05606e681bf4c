"""Several replicas on PostgreSQL: one scheduling leader, takeover when it dies, each prompt once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from bot.db import Database
from models.core.config import OrgConfig
from models.core.tables import OutboxMessage, Person, Workspace
from models.features import tick_all as tick
from models.people import ensure_workspace
from scheduler.leader import LeaderLock

FRI = datetime(2026, 11, 27, tzinfo=UTC)
TEAM = "T0CANDOR"


def test_sqlite_process_always_leads(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/one.db")
    assert LeaderLock(db).heartbeat() and LeaderLock(db).is_leader()
    db.dispose()


def test_exactly_one_leader_and_takeover_after_its_connection_dies(pg_url):
    db_url = pg_url
    a_db, b_db = Database(db_url), Database(db_url)
    a, b = LeaderLock(a_db), LeaderLock(b_db)
    try:
        assert a.heartbeat() is True
        assert b.heartbeat() is False
        assert a.is_leader() and not b.is_leader()
        assert a.heartbeat() is True and b.heartbeat() is False  # steady state
        # The leader's connection dies (crash, network): PostgreSQL releases the lock with it.
        assert a._conn is not None
        pid = a._conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with b_db.engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            admin.commit()
        # The server ends that backend asynchronously; the next heartbeat after it is gone (they run every
        # 15 s, so well within a minute) takes over.
        deadline = time.monotonic() + 10
        while not b.heartbeat():
            assert time.monotonic() < deadline, "no takeover within 10 s of the leader's connection dying"
            time.sleep(0.05)
        assert a.heartbeat() is False  # the old leader notices it lost the lock and stays a follower
        assert b.is_leader() and not a.is_leader()
    finally:
        a.release()
        b.release()
        a_db.dispose()
        b_db.dispose()


def test_two_schedulers_ticking_at_once_queue_each_prompt_once(pg_url):
    db_url = pg_url
    org = OrgConfig()
    setup = Database(db_url)
    with setup.unit_of_work() as s:
        ensure_workspace(s, TEAM)
        for i in range(60):
            s.add(Person(team_id=TEAM, slack_user_id=f"U2{i:05d}", tz="Europe/Berlin",
                         created_at=FRI - timedelta(days=30)))
        s.flush()
        s.get(Workspace, TEAM).last_tick_at = FRI.replace(hour=13, minute=50)
    setup.dispose()

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def replica() -> None:
        db = Database(db_url)
        try:
            barrier.wait()
            for minute in range(0, 20, 2):
                with db.unit_of_work() as s:
                    tick(s, org, TEAM, now=FRI.replace(hour=14, minute=minute))  # 15:00 Berlin = 14:00 UTC
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    check = Database(db_url)
    with check.unit_of_work() as s:
        per_person = s.execute(
            select(OutboxMessage.recipient_id, func.count()).where(OutboxMessage.kind == "checkin.prompt")
            .group_by(OutboxMessage.recipient_id)).all()
    check.dispose()
    assert len(per_person) == 60 and {n for _, n in per_person} == {1}


def test_deployments_in_different_schemas_elect_their_own_leaders():
    from scheduler.leader import lock_key

    assert lock_key("candor_a") != lock_key("candor_b")
    assert 0 < lock_key("public") < 2**63
