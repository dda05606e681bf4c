"""Exactly one scheduling leader. PostgreSQL: a session advisory lock held on a dedicated connection
(if that connection dies, the lock is released and another replica takes it at its next heartbeat).
SQLite: one process does everything, so it always leads."""

from __future__ import annotations

import logging
import threading
import zlib
from typing import Protocol

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

LOCK_KEY = 0x43414E444F52  # "CANDOR"


def lock_key(schema: str) -> int:
    """Advisory locks are per database, not per schema: key the lock by schema, so two deployments (or
    two test runs) sharing one PostgreSQL database in different schemas each elect their own leader."""
    return (LOCK_KEY << 16 ^ zlib.crc32(schema.encode())) & 0x7FFF_FFFF_FFFF_FFFF


class Store(Protocol):
    """The database the lock lives in (`bot.db.Database`)."""

    @property
    def engine(self) -> Engine: ...


class LeaderLock:
    def __init__(self, db: Store) -> None:
        self.db = db
        self._postgres = db.engine.dialect.name == "postgresql"
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        self._key: int | None = None

    def heartbeat(self) -> bool:
        """Keep (or try to take) leadership. Called every few seconds."""
        if not self._postgres:
            return True
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.execute(text("SELECT 1"))
                    return True
                except Exception:
                    log.warning("leader connection lost; leadership released")
                    self._close()
            conn = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if self._key is None:
                self._key = lock_key(str(conn.execute(text("SELECT current_schema()")).scalar()))
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key}).scalar())
            if got:
                self._conn = conn
                log.info("this process now leads the scheduler")
            else:
                conn.close()
            return got

    def is_leader(self) -> bool:
        if not self._postgres:
            return True
        with self._lock:
            return self._conn is not None

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()
            finally:
                self._conn = None

    def release(self) -> None:
        """Give leadership up (shutdown). A connection that already died released the lock with it."""
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
                self._conn.close()
            except Exception:
                log.info("leader connection already gone; nothing to release")
                self._close()
            finally:
                self._conn = None
