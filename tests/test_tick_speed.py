"""The minute tick at scale (issue #10): due times are memoised per WorkPattern and pair rhythm, and rows are
written a batch per statement. The memo must not change who gets what: the tick's rows are checked against
each person's occurrences computed on their own (a fresh context each, so nothing is shared)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from models import one_on_ones as oo
from models.core import prompts
from models.core.outbox import dedupe_key
from models.core.prompts import PromptContext, is_paused, pattern_for
from models.core.tables import OutboxMessage, Person, Workspace
from models.features import prompt_kinds, tick_all
from models.one_on_ones.base import AGENDA_KIND
from models.one_on_ones.tables import OneOnOnePair
from models.people import ensure_workspace
from tests.conftest import TEAM, make_org

pytestmark = pytest.mark.time_sensitive

NOW = datetime(2026, 11, 27, 16, 0, 30, tzinfo=UTC)  # a Friday
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland", "Europe/Lisbon", None,
         "Not/AZone"]


def _people(session: Any, n: int) -> list[Person]:
    ensure_workspace(session, TEAM)
    people = [Person(team_id=TEAM, slack_user_id=f"U{i:04d}", real_name=f"P{i}", tz=ZONES[i % len(ZONES)],
                     created_at=NOW - timedelta(days=60)) for i in range(n)]
    people[3].created_at = NOW - timedelta(days=4)  # Candor met them inside the window
    people[5].paused_until = NOW + timedelta(days=1)
    people[8].paused_until = NOW - timedelta(days=10)  # paused for the first part of the window only
    session.add_all(people)
    session.flush()
    heads = people[:3]
    for i, p in enumerate(people[3:]):
        p.manager_id = heads[i % 3].id
    session.flush()
    oo.sync_pairs(session, TEAM, make_org(), now=NOW - timedelta(days=40))
    # One pair on its own rhythm: the memo is keyed on the rhythm's values.
    pair = session.scalars(select(OneOnOnePair).order_by(OneOnOnePair.id)).first()
    pair.interval_weeks, pair.weekday, pair.local_time, pair.tz = 1, 3, "16:30", "Asia/Tokyo"
    session.flush()
    return people


def test_memoised_tick_matches_each_person_computed_alone(session, clock, monkeypatch):
    clock.set(NOW)
    org = make_org()
    people = _people(session, 30)
    start = NOW - timedelta(days=20)  # back from downtime: skipped and queued rows, of every kind
    session.get(Workspace, TEAM).last_tick_at = start + timedelta(minutes=1)
    session.flush()
    grace = timedelta(hours=org.schedule.grace_hours)

    expected: dict[str, tuple[str, str]] = {}
    for person in reversed(people):  # another order than the tick's
        pattern = pattern_for(person, org)
        person_start = max(start, person.created_at)
        for kind in prompt_kinds():
            ctx = PromptContext(session=session, org=org, now=NOW, team_id=TEAM)
            for occ in kind.occurrences(ctx, person, pattern, person_start, NOW):
                if person_start < occ.due_at <= NOW:
                    state = "skipped" if is_paused(person, occ.due_at) or NOW - occ.due_at > grace else "pending"
                    expected[dedupe_key(kind.kind, TEAM, person.slack_user_id, occ.period)] = (
                        state, occ.due_at.isoformat())

    monkeypatch.setattr(prompts, "BATCH", 7)  # several statements of each kind
    report = tick_all(session, org, TEAM, now=NOW)
    rows = session.scalars(select(OutboxMessage)).all()
    found = {r.dedupe_key: (r.state, r.payload["due_at"]) for r in rows}
    assert found == expected
    states = [r.state for r in rows]
    assert report.enqueued == states.count("pending") > 0
    assert report.skipped_downtime + report.skipped_paused == states.count("skipped")
    assert report.skipped_paused > 0 and report.skipped_downtime > 0
    assert {(r.kind, r.state) for r in rows} >= {("checkin.prompt", "pending"), ("checkin.prompt", "skipped"),
                                                 ("checkin.reminder", "skipped"), (AGENDA_KIND, "skipped")}
    for r in rows:
        assert r.recipient_id is not None and NOW <= r.not_before < NOW + timedelta(minutes=1) and r.attempts == 0
        if r.state == "pending":
            assert r.expires_at == datetime.fromisoformat(r.payload["due_at"]) + grace and r.last_error is None
        else:
            assert r.expires_at is None and r.last_error

    # Idempotent: the same window again adds nothing.
    again = tick_all(session, org, TEAM, now=NOW)
    assert (again.enqueued, again.skipped_downtime, again.skipped_paused) == (0, 0, 0)


def test_the_tick_writes_a_batch_per_statement(session, clock, monkeypatch):
    clock.set(NOW)
    org = make_org()
    _people(session, 30)
    session.get(Workspace, TEAM).last_tick_at = NOW - timedelta(days=20)
    session.flush()
    monkeypatch.setattr(prompts, "BATCH", 10)
    inserts: list[int] = []

    def count(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX"):
            inserts.append(len(parameters) if executemany else 1)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        report = tick_all(session, org, TEAM, now=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    skipped = report.skipped_downtime + report.skipped_paused
    assert sum(inserts) == report.enqueued + skipped
    assert len(inserts) <= -(-report.enqueued // 10) + -(-skipped // 10)
