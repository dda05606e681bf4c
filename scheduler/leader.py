"""Exactly one scheduling leader. PostgreSQL: a session advisory lock held on a dedicated connection
(if that connection dies, the lock is released and another replica takes it at its next heartbeat).
SQLite: one process does everything, so it always leads."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, text

from bot.db import Database

log = logging.getLogger(__name__)

LOCK_KEY = 0x43414E444F52  # "CANDOR"


class LeaderLock:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def heartbeat(self) -> bool:
        """Keep (or try to take) leadership. Called every few seconds."""
        if not self.db.is_postgres:
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
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar())
            if got:
                self._conn = conn
                log.info("this process now leads the scheduler")
            else:
                conn.close()
            return got

    def is_leader(self) -> bool:
        if not self.db.is_postgres:
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
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                finally:
                    self._conn.close()
                    self._conn = None
