"""One clock: every "now" in the code comes from `models.core.clock`, and the database's defaults follow it."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from models.core.clock import ManualClock, clock_of
from models.core.tables import OutboxMessage, Person, Workspace
from models.people import ensure_workspace

pytestmark = pytest.mark.time_sensitive

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "models", "scheduler", "bench")
# Calls that read the wall clock. Only models/core/clock.py (the clock itself) may make them.
WALL_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
              ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime")}


def _wall_clock_reads(path: Path) -> list[str]:
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
            if (name, node.func.attr) in WALL_CLOCK:
                found.append(f"{shown}:{node.lineno}: {name}.{node.func.attr}()")
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [f"{shown}:{node.lineno}: from time import {a.name}" for a in node.names
                      if a.name in ("time", "time_ns")]
    return found


def test_nothing_but_the_clock_reads_the_wall_clock():
    reads = [line for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
             if path != ROOT / "models" / "core" / "clock.py" for line in _wall_clock_reads(path)]
    assert reads == [], "read the time from the injected clock (models.core.clock) instead:\n" + "\n".join(reads)


def test_the_scan_finds_a_wall_clock_read(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import datetime, time\nfrom time import time as now\n"
                      "a = datetime.datetime.now()\nb = time.time()\n")
    assert len(_wall_clock_reads(sample)) == 3


def test_manual_clock_runs_on_from_where_it_is_set():
    clock = ManualClock(datetime(2026, 11, 27, 15, tzinfo=UTC))
    first = clock.now()
    assert first >= datetime(2026, 11, 27, 15, tzinfo=UTC) and first - datetime(2026, 11, 27, 15, tzinfo=UTC) < \
        timedelta(seconds=5)
    clock.advance(timedelta(days=3))
    assert clock.now() - first >= timedelta(days=3)
    frozen = ManualClock(datetime(2030, 1, 1, tzinfo=UTC), frozen=True)
    assert frozen.now() == frozen.now() == datetime(2030, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2026, 1, 1))


def test_rows_are_stamped_by_the_sessions_clock(db, clock):
    """created_at, not_before and the domain's "now" all come from the database's clock, not the machine's."""
    from models.core import outbox

    friday = datetime(2031, 5, 2, 15, tzinfo=UTC)
    clock.set(friday)
    with db.unit_of_work() as s:
        ensure_workspace(s, "T0CLOCK")
        person = Person(team_id="T0CLOCK", slack_user_id="U0CLOCK")
        s.add(person)
        s.flush()
        row = outbox.enqueue(s, team_id="T0CLOCK", kind="test.note", key="clock", recipient=person)
        assert clock_of(s) is clock
    with db.unit_of_work() as s:
        stamps = [s.get(Workspace, "T0CLOCK").created_at, s.scalars(select(Person)).one().created_at,
                  s.get(OutboxMessage, row.id).created_at, s.get(OutboxMessage, row.id).not_before]
    assert all(abs(stamp - friday) < timedelta(minutes=1) for stamp in stamps), stamps
