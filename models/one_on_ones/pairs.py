"""1:1 pairs: one per active manager–report relation, following the org chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from models.core.clock import clock_of
from models.core.config import WEEKDAYS, OrgConfig
from models.core.tables import Person, active_person
from models.core.timing import (
    WorkPattern,
    local_week_start,
)
from models.core.zones import zone_name
from models.one_on_ones.base import _ALL_DAYS
from models.one_on_ones.tables import OneOnOnePair


def live_pairs_query() -> Select[OneOnOnePair]:
    """Active pairs whose relation still holds and whose two people are both active."""
    manager, report = aliased(Person), aliased(Person)
    return (
        select(OneOnOnePair)
        .join(manager, manager.id == OneOnOnePair.manager_id)
        .join(report, report.id == OneOnOnePair.report_id)
        .where(OneOnOnePair.active.is_(True), report.manager_id == OneOnOnePair.manager_id,
               *active_person(manager), *active_person(report))
    )


def is_live(pair: OneOnOnePair) -> bool:
    return (pair.active and pair.report.manager_id == pair.manager_id and pair.manager.active
            and pair.report.active)


def pair_of(session: Session, manager: Person, report: Person) -> OneOnOnePair | None:
    """The live pair of this manager and this report, if any."""
    return session.scalars(
        live_pairs_query().where(OneOnOnePair.manager_id == manager.id, OneOnOnePair.report_id == report.id)
    ).one_or_none()


def pairs_for(session: Session, person: Person) -> list[OneOnOnePair]:
    """The person's live pairs: as a manager (with each report) and as a report (with their manager)."""
    return list(session.scalars(
        live_pairs_query().where(or_(OneOnOnePair.manager_id == person.id, OneOnOnePair.report_id == person.id))
        .order_by(OneOnOnePair.id)
    ))


def live_pairs_by_person(session: Session, team_id: str) -> dict[int, list[OneOnOnePair]]:
    """Every live pair of the workspace, by member: one query for a whole tick instead of one per person."""
    by_person: dict[int, list[OneOnOnePair]] = {}
    for pair in session.scalars(live_pairs_query().where(OneOnOnePair.team_id == team_id).order_by(OneOnOnePair.id)):
        by_person.setdefault(pair.manager_id, []).append(pair)
        by_person.setdefault(pair.report_id, []).append(pair)
    return by_person


def live_pair(session: Session, pair_id: int) -> OneOnOnePair | None:
    return session.scalars(live_pairs_query().where(OneOnOnePair.id == pair_id)).one_or_none()


def is_member(pair: OneOnOnePair, person: Person) -> bool:
    return person.id in (pair.manager_id, pair.report_id)


def other_member(pair: OneOnOnePair, person: Person) -> Person:
    return pair.report if person.id == pair.manager_id else pair.manager


@dataclass
class SyncReport:
    created: int = 0
    reactivated: int = 0
    ended: int = 0

    def __str__(self) -> str:
        return f"{self.created} pairs created, {self.reactivated} re-activated, {self.ended} ended"


def sync_pairs(session: Session, team_id: str, org: OrgConfig, *, now: datetime | None = None) -> SyncReport:
    """Make pairs match the org chart: one live pair per active manager–report relation. Idempotent.

    New pairs get the default cadence, day and time, in the manager's time zone (else the default), with
    the current week as anchor. A pair whose relation ended (manager change, someone deactivated) is ended
    and keeps its history; the same two people working together again re-activate their old pair.
    """
    now = now or clock_of(session).now()
    report = SyncReport()
    cfg = org.one_on_ones
    if not cfg.enabled:  # 1:1s switched off: pairs stay as they are, and get no agendas or alerts
        return report
    manager, person = aliased(Person), aliased(Person)
    relations = session.execute(
        select(person, manager)
        .join(manager, manager.id == person.manager_id)
        .where(person.team_id == team_id, manager.team_id == team_id, manager.id != person.id,
               *active_person(person), *active_person(manager))
    ).all()
    wanted = {(m.id, p.id): (m, p) for p, m in relations}
    existing = {(pr.manager_id, pr.report_id): pr for pr in session.scalars(
        select(OneOnOnePair).where(OneOnOnePair.team_id == team_id))}

    for key, pair in existing.items():
        if pair.active and key not in wanted:
            pair.active, pair.ended_at = False, now
            report.ended += 1
        elif not pair.active and key in wanted:
            pair.active, pair.ended_at = True, None
            report.reactivated += 1
    for key, (m, p) in wanted.items():
        if key in existing:
            continue
        tz = zone_name(m.tz, org.schedule.default_timezone)
        pattern = WorkPattern(tz=tz, working_days=_ALL_DAYS, quiet_start=time(0), quiet_end=time(0))
        created = insert_new(session, OneOnOnePair, ("manager_id", "report_id"), dict(
            team_id=team_id, manager_id=m.id, report_id=p.id,
            interval_weeks=1 if cfg.default_cadence == "weekly" else 2,
            weekday=WEEKDAYS.index(cfg.default_weekday), local_time=cfg.default_time.strftime("%H:%M"),
            tz=tz, anchor_week=local_week_start(now, pattern), active=True, created_at=now,
        ))
        if created is not None:  # else a concurrent sync created it first
            report.created += 1
    session.flush()
    return report


def insert_new(session: Session, model: type[Any], keys: tuple[str, ...], values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING: the new row's id, or None when a row with these keys exists.

    Not a SAVEPOINT: with pysqlite a SAVEPOINT opened before any other write of the transaction starts the
    transaction itself, and its RELEASE commits it — a later failure could then not roll the row back."""
    session.flush()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(model).values(**values).on_conflict_do_nothing(index_elements=list(keys)).returning(model.id)
    new_id = session.execute(stmt).scalar_one_or_none()
    return int(new_id) if new_id is not None else None
