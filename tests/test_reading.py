"""Read-only units of work (`Database.reading`) take no write lock: on SQLite they never queue behind a
writer, and a write in one is refused. And no Slack call is made inside a transaction, read-only or not."""

from __future__ import annotations

import ast
import threading
import time
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from bot import budget
from bot.budget import BudgetExceeded
from bot.db import Database
from bot.delivery import OutboxSender
from models.core.tables import Workspace
from tests.conftest import make_org

REPO = Path(__file__).resolve().parents[1]


def teams(db: Database) -> list[str]:
    with db.reading() as s:
        return sorted(s.scalars(select(Workspace.team_id)))


def test_reading_sees_what_was_committed_and_writes_nothing(db: Database):
    with db.unit_of_work() as s:
        s.add(Workspace(team_id="T1"))
    assert teams(db) == ["T1"]
    with pytest.raises(DBAPIError), db.reading() as s:
        s.add(Workspace(team_id="T2"))
        s.flush()
    assert teams(db) == ["T1"]
    # The connection goes back to the pool able to write again.
    for _ in range(3):
        with db.unit_of_work() as s:
            s.add(Workspace(team_id=f"T3{_}"))
        assert teams(db)[-1] == f"T3{_}"


def test_reading_does_not_wait_for_a_writer(db: Database):
    """A writer holds its transaction open for a while: a reader goes on at once with the last committed
    state; a second writer waits (SQLite) for the first."""
    with db.unit_of_work() as s:
        s.add(Workspace(team_id="T1"))
    inside, release = threading.Event(), threading.Event()

    def writer() -> None:
        with db.unit_of_work() as s:
            s.add(Workspace(team_id="T2"))
            s.flush()
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert inside.wait(10)
        started = time.monotonic()
        assert teams(db) == ["T1"]  # not the uncommitted row
        took = time.monotonic() - started
        if db.is_postgres:
            assert took < 1.0
        else:  # the same read as a write unit of work waits its turn behind the writer
            assert took < 0.5
            token = budget.begin()  # as a request: waits at most the database's share of its budget
            try:
                with pytest.raises(BudgetExceeded), db.unit_of_work() as s:
                    s.scalars(select(Workspace.team_id)).all()
            finally:
                budget.end(token)
    finally:
        release.set()
        thread.join(10)
    assert teams(db) == ["T1", "T2"]


def test_the_senders_idle_round_does_not_queue_behind_a_writer(db: Database, fake):
    """The sender polls every second: a round with nothing due only reads, so a long write elsewhere (an
    import, an erasure) does not hold it up, and it writes nothing."""
    sender = OutboxSender(db, WebClient(token="xoxb-test", base_url=fake.url), make_org(), renderers={})
    inside, release = threading.Event(), threading.Event()

    def writer() -> None:
        with db.unit_of_work() as s:
            s.add(Workspace(team_id="T1"))
            s.flush()
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert inside.wait(10)
        started = time.monotonic()
        assert not sender.drain_once().progressed
        assert sender._next_due_in() is None
        assert time.monotonic() - started < 1.0
    finally:
        release.set()
        thread.join(10)
        sender.close()


# -- no Slack call inside a transaction -------------------------------------------------------------------

# Every Web API method slack_sdk's client has (chat_postMessage, users_info, …), and our helpers that call one.
WEB_API_METHODS = {m for m in dir(WebClient) if "_" in m and not m.startswith("_")} - {"api_call"}
SLACK_HELPERS = {"lookup_people"}
TRANSACTIONS = {"unit_of_work", "reading", "begin", "sessions"}


def _is_slack_call(node: ast.Call) -> bool:
    if not isinstance(node.func, ast.Attribute):
        return False
    name = node.func.attr
    if name in WEB_API_METHODS:
        return True
    if name in ("user", "users"):  # a Slack directory's lookups (SlackDirectory.user / .users)
        return isinstance(node.func.value, ast.Name | ast.Attribute | ast.Call) and "directory" in ast.unparse(
            node.func.value).lower()
    return name in SLACK_HELPERS


def _opens_transaction(item: ast.withitem) -> bool:
    call = item.context_expr
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in TRANSACTIONS


def _calls_in(body: list[ast.stmt]) -> list[ast.Call]:
    """Calls made while the block runs: not those in functions or classes it only defines."""
    found: list[ast.Call] = []
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.Call):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def slack_calls_in_transactions(source: str, where: str = "<source>") -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.With) and any(_opens_transaction(i) for i in node.items):
            for call in _calls_in(node.body):
                if _is_slack_call(call):
                    problems.append(f"{where}:{call.lineno}: {ast.unparse(call.func)}(…) inside a transaction")
    return problems


def test_no_slack_call_is_made_inside_a_transaction():
    problems = []
    for folder in ("bot", "handlers", "models", "scheduler"):
        for path in sorted((REPO / folder).rglob("*.py")):
            problems += slack_calls_in_transactions(path.read_text(), str(path.relative_to(REPO)))
    assert problems == []


def test_the_transaction_scan_can_fail():
    bad = """
with services.unit_of_work() as session:
    person = find(session)
    services.request_client().views_open(trigger_id=t, view=v)
with db.reading() as session:
    ids = services.lookup_people(team, ids)
with self.db.unit_of_work() as s:
    self.client.conversations_open(users=uid)
    user = services.directory.user(uid)
"""
    assert len(slack_calls_in_transactions(bad)) == 4
    good = """
with services.unit_of_work() as session:
    view = build(session)

    def later():
        client.chat_postMessage(channel=c)
services.request_client().views_open(trigger_id=t, view=view)
"""
    assert slack_calls_in_transactions(good) == []
