"""Declarative base, naming convention and column types shared by every table.

Conventions:
- every table carries `team_id` (the Slack workspace) so one deployment can serve several workspaces;
- timestamps are `UTCDateTime`: timezone-aware, stored in UTC, naive datetimes refused on write;
- constraint names follow `NAMING_CONVENTION` so Alembic migrations are stable on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Dialect, MetaData, String, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.core.clock import SYSTEM

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The execution option through which a `Database` hands its clock to column defaults (see `clock_now`).
CLOCK_OPTION = "candor_clock"


def clock_now(context: Any) -> datetime:
    """Column default for timestamps: the time of the clock the writing session was built with.

    `bot.db.Database` binds its sessions with `execution_options(candor_clock=clock)`, so `created_at` of a row
    written by a test that simulates "Friday 15:00" is Friday 15:00, and production rows get the real time.
    """
    clock = context.execution_options.get(CLOCK_OPTION) if context is not None else None
    return (clock if clock is not None else SYSTEM).now()


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp kept in UTC. SQLite has no time zones: values come back aware anyway."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} refused: store timezone-aware values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")
TeamId = String(32)
SlackId = String(32)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=clock_now)
