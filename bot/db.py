"""Engine, sessions and the unit of work.

One unit of work per request or job: the boundary opens it, commits on success and rolls back on
error. Domain functions only `flush()`. What only reads uses `reading()`: no write lock, nothing written.

Every session carries the process's clock (`models.core.clock.clock_of(session)`, and the column defaults of
`models.base`). Inside a request (see `bot.budget`) a unit of work waits for locks only as long as the
request's budget allows and is rolled back, not committed, once the budget is spent; jobs wait longer.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot import budget as budgets
from bot.budget import BudgetExceeded
from models.core.base import CLOCK_OPTION
from models.core.clock import SYSTEM, Clock

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# An execution option: the connection serves a read-only unit of work (`Database.reading`).
READ_ONLY = "candor_read_only"

# Outside a request (jobs, the sender, migrations): how long to wait for a lock before failing.
JOB_LOCK_WAIT_MS = 30_000
JOB_STATEMENT_MS = 600_000  # PostgreSQL: no statement runs longer than ten minutes
CONNECT_TIMEOUT_S = 5
PING_IDLE_S = 10.0  # a pooled PostgreSQL connection idle this long is pinged before use


def _lock_wait_ms() -> int:
    """How long the unit of work about to begin may wait for a lock: the request's budget, else a job's."""
    budget = budgets.current()
    if budget is None:
        return JOB_LOCK_WAIT_MS
    return max(1, int(budget.database_left() * 1000))


class _WriterQueue:
    """SQLite: one write transaction at a time in this process, the others waiting on a lock (bounded by their
    lock wait) rather than in SQLite's busy handler. Which pooled connection holds it is recorded, so a
    connection that commits, rolls back, is returned or is invalidated gives it back exactly once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._guard = threading.Lock()
        self._holder: int | None = None

    def take(self, dbapi_conn: Any, timeout: float) -> bool:
        with self._guard:
            if self._holder == id(dbapi_conn):
                return True
        if not self._lock.acquire(timeout=max(0.0, timeout)):
            return False
        with self._guard:
            self._holder = id(dbapi_conn)
        return True

    def give(self, dbapi_conn: Any) -> None:
        with self._guard:
            if dbapi_conn is None or self._holder != id(dbapi_conn):
                return
            self._holder = None
            self._lock.release()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the per-dialect settings Candor relies on.

    `hide_parameters`: SQL errors (and their log lines) never carry the values bound to a statement, which
    would put people's answers and notes in logs."""
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling breaks SAVEPOINTs (a savepoint opened first commits the
            # outer work when released): take transactions over, as SQLAlchemy's docs recommend.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")  # safe against a killed process; WAL keeps it consistent
            cur.close()

        writers = _WriterQueue()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A write unit of work: IMMEDIATE takes the write lock up front, so threads queue on busy_timeout
            # instead of failing with "database is locked" when a read transaction later tries to write.
            # Threads of this process queue in `writers` first (woken the moment the lock is free; SQLite's
            # busy handler polls in sleeps of up to 100 ms, which under a burst of requests turns
            # milliseconds of work into seconds); busy_timeout is left for other processes. A request queues
            # only as long as its budget allows.
            # A read-only one (`Database.reading`): a plain deferred BEGIN, outside the queue. In WAL mode it
            # reads a snapshot while a writer works; `query_only` makes any write in it an error.
            wait_ms = _lock_wait_ms()
            started = time.monotonic()
            info = conn.connection.info
            if conn.get_execution_options().get(READ_ONLY):
                if not info.get("query_only"):
                    conn.exec_driver_sql("PRAGMA query_only=1")
                    info["query_only"] = True
                conn.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
                conn.exec_driver_sql("BEGIN")
                return
            if info.get("query_only"):
                conn.exec_driver_sql("PRAGMA query_only=0")
                info["query_only"] = False
            dbapi_conn = conn.connection.dbapi_connection
            if not writers.take(dbapi_conn, wait_ms / 1000):
                raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))
            try:
                left_ms = max(1, wait_ms - int((time.monotonic() - started) * 1000))
                conn.exec_driver_sql(f"PRAGMA busy_timeout={left_ms}")
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                writers.give(dbapi_conn)
                raise

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _sqlite_end(conn: Any) -> None:
            try:
                dbapi_conn = conn.connection.dbapi_connection
            except Exception:  # an invalidated connection: the pool's invalidate/checkin events give it back
                return
            writers.give(dbapi_conn)

        @event.listens_for(engine, "checkin")
        def _sqlite_checkin(dbapi_conn: Any, _record: Any) -> None:
            writers.give(dbapi_conn)  # never returned to the pool holding the queue

        @event.listens_for(engine, "invalidate")
        def _sqlite_invalidate(dbapi_conn: Any, _record: Any, _exc: Any) -> None:
            writers.give(dbapi_conn)

        return engine
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    # A connection that sat in the pool may have been cut (a database restart, a proxy's idle timeout): it is
    # pinged before use, and replaced if the ping fails. Only after `PING_IDLE_S` idle: SQLAlchemy's
    # `pool_pre_ping` pings on every checkout, a round trip each time on the request path.
    @event.listens_for(engine, "checkin")
    def _pg_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _pg_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_IDLE_S:
            return
        try:
            dbapi_conn.execute("SELECT 1")
            dbapi_conn.rollback()
        except Exception as exc:  # the pool discards this connection and checks out another
            raise DisconnectionError(f"a pooled connection was cut: {type(exc).__name__}") from exc

    @event.listens_for(engine, "connect")
    def _pg_timeouts(dbapi_conn: Any, _record: Any) -> None:
        # Defaults for every transaction of this connection; a request lowers them with SET LOCAL.
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = {JOB_LOCK_WAIT_MS}")
            cur.execute(f"SET statement_timeout = {JOB_STATEMENT_MS}")
        dbapi_conn.commit()

    return engine


def _out_of_time(exc: DBAPIError) -> bool:
    """A lock wait or statement cut short by our timeouts (SQLite: busy; PostgreSQL: 55P03, 57014)."""
    code = getattr(exc.orig, "sqlstate", None)
    return code in ("55P03", "57014") or "database is locked" in str(exc.orig)


class Database:
    """The store: an engine and a session factory, plus the unit-of-work boundary."""

    def __init__(self, url: str, engine: Engine | None = None, *, clock: Clock = SYSTEM) -> None:
        self.url = url
        self.clock = clock
        self.engine = engine or make_engine(url)
        self.sessions = sessionmaker(self.engine.execution_options(**{CLOCK_OPTION: clock}),
                                     expire_on_commit=False, info={"clock": clock})
        self.readers = sessionmaker(self.engine.execution_options(**{CLOCK_OPTION: clock, READ_ONLY: True}),
                                    expire_on_commit=False, info={"clock": clock, "read_only": True})

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Commit what the block did, or roll it all back. Inside a request (`bot.budget.current()`), lock
        waits are bounded by the budget, and a block that ends after the deadline is rolled back with
        `BudgetExceeded`: a late commit would save what the user was already told had failed."""
        budget = budgets.current()
        session = self.sessions()
        try:
            if budget is not None and self.is_postgres:
                wait = f"{_lock_wait_ms()}ms"
                session.execute(text("SELECT set_config('lock_timeout', :w, true), "
                                     "set_config('statement_timeout', :w, true)"), {"w": wait})
            yield session
            if budget is not None:
                session.flush()
                budget.check_database("before commit")
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            if budget is not None and (_out_of_time(exc) or budget.database_left() <= 0):
                raise BudgetExceeded("database") from None
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work: one consistent view of the store, and nothing written. It takes no write
        lock, so it never queues behind writers (SQLite: a plain `BEGIN` with `query_only`, outside the
        writers' queue; PostgreSQL: a `READ ONLY` transaction). A write in it is an error. Always rolled
        back; inside a request its waits are bounded by the budget, as for `unit_of_work`."""
        budget = budgets.current()
        session = self.readers()
        try:
            if self.is_postgres:  # one round trip: read only (SET TRANSACTION READ ONLY), and the waits
                if budget is not None:
                    session.execute(text("SELECT set_config('transaction_read_only', 'on', true), "
                                         "set_config('lock_timeout', :w, true), "
                                         "set_config('statement_timeout', :w, true)"), {"w": f"{_lock_wait_ms()}ms"})
                else:
                    session.execute(text("SELECT set_config('transaction_read_only', 'on', true)"))
            yield session
        except DBAPIError as exc:
            if budget is not None and (_out_of_time(exc) or budget.database_left() <= 0):
                raise BudgetExceeded("database") from None
            raise
        finally:
            session.close()  # ends the transaction without a commit; what was read stays readable

    # -- migrations ---------------------------------------------------------------------------

    def alembic_config(self) -> AlembicConfig:
        return alembic_config(self.url)

    def upgrade(self) -> None:
        with self.engine.begin() as conn:
            cfg = self.alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(self.alembic_config()).get_current_head()

    def check(self) -> None:
        """Raise if the models and the migrations disagree (alembic check)."""
        with self.engine.begin() as conn:
            cfg = self.alembic_config()
            cfg.attributes["connection"] = conn
            command.check(cfg)

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option(
        "file_template", "%%(year)d-%%(month).2d-%%(day).2d-%%(hour).2d%%(minute).2d_%%(slug)s"
    )
    return cfg
