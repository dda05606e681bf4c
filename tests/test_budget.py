"""Issue item 4: the request path's time budget.

When the database cannot be had in time (SQLite: another connection holds the write lock; PostgreSQL: another
transaction holds a lock the unit of work needs), the user gets a clear apology within Slack's 3 s and
nothing is written, not even later when the lock is released. Jobs (no budget) wait longer. Every
PostgreSQL connection has a connect timeout, and every transaction lock and statement timeouts.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from bot import budget as budgets
from bot.budget import BudgetExceeded
from bot.db import Database
from handlers.checkins.ids import CheckinIds
from handlers.kudos.ids import KudosIds
from models import checkins
from models.checkins.tables import Checkin
from models.core.prompts import pattern_for
from models.core.tables import OutboxMessage, Person, ViewSubmission
from models.kudos.tables import Kudos
from models.people import ensure_people, ensure_workspace
from tests.conftest import ANA, BOB, KUDOS_CHANNEL, LI, TEAM, Candor
from tests.slack_requests import options_value, text_value, users_value

GOOD = "for the calm launch and the clear runbook"
BUSY = "Candor is busy right now and couldn't finish in time, so nothing was saved."
# What the request path's units of work need on PostgreSQL (SQLite has one write lock for everything).
REQUEST_TABLES = ("kudos", "checkins", "view_submissions")


@contextmanager
def locked(db_url: str, seconds: float, tables: tuple[str, ...] = REQUEST_TABLES) -> Iterator[None]:
    """Another connection takes the lock at once and keeps it for `seconds`; leaving the block waits until
    it let go. SQLite: the write lock (BEGIN IMMEDIATE on a plain sqlite3 connection to the same file).
    PostgreSQL: ACCESS EXCLUSIVE on `tables`, in an open transaction."""
    taken, errors = threading.Event(), []

    def hold() -> None:
        try:
            if db_url.startswith("sqlite"):
                conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
                conn.execute("BEGIN IMMEDIATE")
                taken.set()
                time.sleep(seconds)
                conn.execute("ROLLBACK")
                conn.close()
                return
            engine = create_engine(db_url)
            with engine.connect() as pg:
                pg.execute(text(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE"))
                taken.set()
                time.sleep(seconds)
                pg.rollback()
            engine.dispose()
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
            taken.set()

    holder = threading.Thread(target=hold, name="lock-holder")
    holder.start()
    try:
        assert taken.wait(10) and errors == [], errors
        yield
    finally:
        holder.join(seconds + 10)
    assert errors == [], errors


def count(app: Candor, model: Any) -> int:
    with app.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def opened_view(app: Candor) -> dict[str, Any]:
    view = app.fake.calls_to("views.open")[-1].params["view"]
    return dict(json.loads(view) if isinstance(view, str) else view)


def checkin_form(app: Candor) -> str:
    """Ana (managed by Bob) opens this week's check-in form; returns the form's private_metadata."""
    with app.rt.db.unit_of_work() as s:
        found = ensure_people(s, TEAM, [ANA, BOB, LI], app.rt.services.directory)
        for person in found.values():
            assert person is not None
            person.created_at = app.clock.now() - timedelta(days=14)
        ana, bob = found[ANA], found[BOB]
        assert ana is not None and bob is not None
        ana.manager_id = bob.id
        period = checkins.current_period(app.rt.org.checkins, pattern_for(ana, app.rt.org), app.clock.now())
    assert period is not None
    app.slack.block_action(CheckinIds.OPEN, user=ANA, value=period)
    view = opened_view(app)
    assert view["callback_id"] == CheckinIds.MODAL, "the check-in form did not open"
    return str(view["private_metadata"])


def kudos_form(app: Candor) -> str:
    app.slack.global_shortcut(KudosIds.GLOBAL_SHORTCUT, user=BOB)
    view = opened_view(app)
    assert view["callback_id"] == KudosIds.MODAL
    return str(view["private_metadata"])


def checkin_answers() -> dict[str, Any]:
    return {
        "q_wins": {"answer": text_value("Shipped the billing migration")},
        "q_blockers": {"answer": text_value("")},
        "q_next_steps": {"answer": text_value("Start on invoices")},
        "q_week": {"answer": {"type": "radio_buttons", "selected_option": {"value": "4"}}},
    }


def kudos_answers() -> dict[str, Any]:
    return {
        KudosIds.RECIPIENTS_BLOCK: {KudosIds.RECIPIENTS_ACTION: users_value([LI])},
        KudosIds.VALUES_BLOCK: {KudosIds.VALUES_ACTION: options_value(["teamwork"])},
        KudosIds.MESSAGE_BLOCK: {KudosIds.MESSAGE_ACTION: text_value(GOOD)},
    }


def apology_in_view(resp: httpx.Response) -> bool:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    return body.get("response_action") == "update" and BUSY in json.dumps(body.get("view"))


# -- a request that cannot get the database in time ------------------------------------------------------


def test_a_request_that_cannot_get_the_database_in_time_is_refused_and_saves_nothing(candor, db_url):
    """/kudos, the kudos modal and a check-in arrive while another connection holds the lock for 6 s: each
    answer is the apology, within 3 s; nothing is saved, not even once the lock is released."""
    checkin_meta = checkin_form(candor)
    kudos_meta = kudos_form(candor)
    assert count(candor, Kudos) == count(candor, OutboxMessage) == 0

    def command() -> tuple[httpx.Response, float]:
        started = time.monotonic()
        return candor.slack.command("/kudos", f"<@{LI}|li> {GOOD}", user=BOB), time.monotonic() - started

    def kudos_modal() -> tuple[httpx.Response, float]:
        started = time.monotonic()
        resp = candor.slack.view_submission(KudosIds.MODAL, kudos_answers(), user=BOB, private_metadata=kudos_meta)
        return resp, time.monotonic() - started

    def checkin() -> tuple[httpx.Response, float]:
        started = time.monotonic()
        resp = candor.slack.view_submission(CheckinIds.MODAL, checkin_answers(), user=ANA,
                                            private_metadata=checkin_meta)
        return resp, time.monotonic() - started

    with locked(db_url, 6.0), ThreadPoolExecutor(3) as pool:
        answers = [f.result() for f in [pool.submit(command), pool.submit(kudos_modal), pool.submit(checkin)]]
    (cmd, cmd_s), (modal, modal_s), (form, form_s) = answers
    assert cmd.status_code == 200 and BUSY in cmd.json()["text"]
    assert apology_in_view(modal) and apology_in_view(form)
    assert max(cmd_s, modal_s, form_s) < 3.0, (cmd_s, modal_s, form_s)

    # The lock is gone: had a listener gone on waiting, it would save now.
    time.sleep(0.5)
    candor.drain()
    assert count(candor, Kudos) == count(candor, Checkin) == count(candor, ViewSubmission) == 0
    assert count(candor, OutboxMessage) == 0
    assert candor.fake.calls_to("chat.postMessage") == [] and candor.fake.calls_to("views.publish") == []

    # The user tries again: exactly one kudos, announced once.
    resp = candor.slack.command("/kudos", f"<@{LI}|li> {GOOD}", user=BOB)
    assert resp.status_code == 200 and "Kudos sent to <@U0LI>" in resp.text
    candor.drain()
    assert count(candor, Kudos) == 1
    assert len(candor.fake.messages(KUDOS_CHANNEL)) == 1 and len(candor.fake.dms_to(LI)) == 1


# -- the unit of work: requests give up, jobs wait ------------------------------------------------------------


def _add_person(db: Database, uid: str, *, with_budget: bool) -> float:
    """Write one person in a unit of work, as a request (under a budget) or as a job; returns the seconds it
    took."""
    token = budgets.begin(db.clock) if with_budget else None
    started = time.monotonic()
    try:
        with db.unit_of_work() as s:
            ensure_workspace(s, TEAM)
            s.add(Person(team_id=TEAM, slack_user_id=uid, name=uid.lower()))
    finally:
        if token is not None:
            budgets.end(token)
    return time.monotonic() - started


def test_a_job_waits_through_a_lock_that_a_request_gives_up_on(db, db_url):
    with db.unit_of_work() as s:
        ensure_workspace(s, TEAM)
    outcomes: dict[str, object] = {}

    def run(uid: str, with_budget: bool) -> None:
        try:
            outcomes[uid] = _add_person(db, uid, with_budget=with_budget)
        except Exception as exc:
            outcomes[uid] = exc

    with locked(db_url, 3.0, tables=("people",)):
        started = time.monotonic()
        threads = [threading.Thread(target=run, args=("U0JOB", False)),
                   threading.Thread(target=run, args=("U0REQUEST", True))]
        for thread in threads:
            thread.start()
        threads[1].join(10)
        request_gave_up_after = time.monotonic() - started
    threads[0].join(30)

    assert isinstance(outcomes["U0REQUEST"], BudgetExceeded), outcomes
    assert request_gave_up_after < 2.5
    job_took = outcomes["U0JOB"]
    assert isinstance(job_took, float) and job_took >= 2.5, outcomes  # it waited for the lock, then wrote
    with db.unit_of_work() as s:
        assert set(s.scalars(select(Person.slack_user_id))) == {"U0JOB"}


def test_a_unit_of_work_ending_past_the_deadline_is_rolled_back(db):
    token = budgets.begin(db.clock)
    try:
        with pytest.raises(BudgetExceeded), db.unit_of_work() as s:
            ensure_workspace(s, TEAM)
            s.add(Person(team_id=TEAM, slack_user_id="U0LATE", name="late"))
            s.flush()
            time.sleep(budgets.DATABASE_SECONDS + 0.05)  # the work took longer than the database's share
    finally:
        budgets.end(token)
    with db.unit_of_work() as s:
        assert s.scalars(select(Person.slack_user_id)).all() == []


# -- timeouts on every connection and transaction ------------------------------------------------------------


def _ms(setting: str) -> float:
    """A PostgreSQL duration as SHOW prints it (1999ms, 2s, 30s, 10min) in milliseconds."""
    for unit, factor in (("ms", 1), ("min", 60_000), ("s", 1000), ("h", 3_600_000)):
        if setting.endswith(unit):
            return float(setting.removesuffix(unit)) * factor
    return float(setting)


def _waits(db: Database) -> tuple[float, float]:
    """(lock wait, statement timeout) in ms inside a unit of work here (SQLite: busy_timeout twice)."""
    with db.unit_of_work() as s:
        if db.is_postgres:
            return (_ms(str(s.execute(text("SHOW lock_timeout")).scalar())),
                    _ms(str(s.execute(text("SHOW statement_timeout")).scalar())))
        busy = float(s.execute(text("PRAGMA busy_timeout")).scalar() or 0)
        return busy, busy


def test_every_transaction_has_timeouts_and_a_request_has_shorter_ones(db):
    job_lock, job_statement = _waits(db)
    token = budgets.begin(db.clock)
    try:
        request_lock, request_statement = _waits(db)
    finally:
        budgets.end(token)
    assert 1000 < request_lock <= 2000 and 1000 < request_statement <= 2000
    assert job_lock >= 10_000 and job_statement >= 10_000  # jobs may wait longer, but not forever
    assert _waits(db) == (job_lock, job_statement)  # a request's settings end with its transaction
    if db.is_postgres:
        raw = db.engine.raw_connection()
        try:
            params = raw.dbapi_connection.info.get_parameters()
        finally:
            raw.close()
        assert 0 < int(params["connect_timeout"]) <= 10
