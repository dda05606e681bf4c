"""Modal submissions handled once per view.

Slack gives every opened modal a view id, and a double click, a retry or two requests racing all submit
the same view id. A handler claims the view inside its unit of work before doing anything:

    form = submissions.Form(team_id, user_id, view_id, "checkin")
    earlier = form.claim(session)
    if earlier is not None:
        return earlier          # the first submission's result: show the same answer, change nothing
    ... the work ...
    form.finish(session, {"checkin_id": checkin.id})

The view id comes back from the client, so the key is the view id with the submitting user and the kind of
form: someone sending another person's view id only claims it for themselves. The claim is an INSERT … ON
CONFLICT DO NOTHING on that key, so a concurrent second submission waits for
the first transaction (PostgreSQL) or for the write lock (SQLite) and then sees its result; when the first
was rolled back (a validation error), the second does the work itself. Only flushes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.core.clock import clock_of
from models.core.tables import ViewSubmission

KEEP = timedelta(days=2)
_TABLE = cast(Table, ViewSubmission.__table__)


@dataclass(frozen=True)
class Form:
    """One submission of one modal: who sent which view, and what kind of form it is."""

    team_id: str
    user_id: str
    view_id: str
    kind: str

    def claim(self, session: Session) -> dict[str, Any] | None:
        """None when this is the view's first submission (go on, and `finish`); else the earlier one's result."""
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        # Core statements on the table (not the ORM entity): this runs on every modal submission.
        stmt = (insert(_TABLE)
                .values(view_id=self.view_id, user_id=self.user_id, kind=self.kind, team_id=self.team_id, result={},
                        created_at=clock_of(session).now())
                .on_conflict_do_nothing(index_elements=["view_id", "user_id", "kind"])
                .returning(_TABLE.c.view_id))  # (psycopg's rowcount does not tell an insert from a no-op here)
        if session.execute(stmt).scalar_one_or_none() is not None:
            return None
        found = session.get(ViewSubmission, (self.view_id, self.user_id, self.kind))
        assert found is not None
        return dict(found.result or {}) or {"done": True}

    def finish(self, session: Session, result: dict[str, Any]) -> None:
        """Record what the first submission's answer needs, for the ones that follow it."""
        session.execute(update(_TABLE).where(
            _TABLE.c.view_id == self.view_id, _TABLE.c.user_id == self.user_id, _TABLE.c.kind == self.kind,
        ).values(result={**result, "done": True}))


def purge(session: Session, *, now: datetime | None = None) -> int:
    """Forget submissions older than `KEEP` (a double submit comes within seconds)."""
    cutoff = (now or clock_of(session).now()) - KEEP
    result = session.execute(delete(ViewSubmission).where(ViewSubmission.created_at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]
