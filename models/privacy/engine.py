"""Export and erasure of one person's data, driven by the registry (`models.privacy.registry`)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import JSON, ColumnElement, Table, Text, cast, delete, func, inspect, or_, select, update
from sqlalchemy.orm import Session

from models.core import audit
from models.core.base import Base
from models.core.clock import clock_of
from models.core.messages import DomainError, _t
from models.core.personal_data import Erasure, ErasureReport, PersonalData, dedupe_terms, iso, jsonable, ref, rowcount
from models.core.tables import Person
from models.people import ERASE_ACTION, erased_at, person_by_slack_id
from models.privacy.registry import registered, registry_problems

SCHEMA_VERSION = 1
ERASED_PREFIX = "ERASED-"
EXPORT_ACTION = "privacy.export"


class PrivacyError(DomainError):
    """An export or erasure that cannot be done; nothing was changed."""


class UnknownPerson(PrivacyError, LookupError):
    pass


class AlreadyErased(UnknownPerson):
    pass


def export_person(
    session: Session, team_id: str, slack_user_id: str, *, actor: str | None = None,
    exclude: frozenset[str] = frozenset(), audited: bool = True,
) -> dict[str, Any]:
    """Everything Candor holds about one person, as JSON-serialisable data. Records `privacy.export`
    unless `audited=False` (the caller recorded the request itself, in the same transaction).

    `actor` defaults to the person themselves. Access (who may ask) is the caller's check:
    `models.access.require(..., RecordKind.PERSONAL_EXPORT, owner=person)`; `exclude` names registry
    sections the requester may not see (e.g. 1:1 notes for HR when the organisation does not allow it).
    """
    person = _find(session, team_id, slack_user_id)
    manager = session.get(Person, person.manager_id) if person.manager_id else None
    reports = session.scalars(select(Person).where(Person.manager_id == person.id).order_by(Person.id))
    data: dict[str, Any] = {}
    existing = _existing_tables(session)
    for entry in registered():
        if not entry.export or entry.table not in existing or entry.key in exclude or entry.table in exclude:
            continue
        if entry.exporter is not None:
            data[entry.key] = jsonable(entry.exporter(session, person))
        elif entry.person_columns:
            data[entry.key] = _export_linked_rows(session, entry, person)
    result = {
        "schema_version": SCHEMA_VERSION,
        "exported_at": iso(clock_of(session).now()),
        "team_id": person.team_id,
        "slack_user_id": person.slack_user_id,
        "profile": {
            "name": person.name,
            "real_name": person.real_name,
            "display_name": person.display_name,
            "email": person.email,
            "tz": person.tz,
            "locale": person.locale,
            "is_bot": person.is_bot,
            "is_deleted": person.is_deleted,
            "dm_channel_id": person.dm_channel_id,
            "paused_until": iso(person.paused_until),
            "created_at": iso(person.created_at),
            "synced_at": iso(person.synced_at),
        },
        "org": {
            "manager": ref(manager),
            "reports": [ref(r) for r in reports],
            "department": person.department,
            "title": person.title,
            "start_date": iso(person.start_date),
            "is_hr_admin": person.is_hr_admin,
        },
        "data": data,
    }
    if audited:
        audit.record(
            session,
            actor=actor or audit.slack_actor(slack_user_id),
            action=EXPORT_ACTION,
            team_id=team_id,
            subject=slack_user_id,
            details={"schema_version": SCHEMA_VERSION, "sections": sorted(data)},
        )
    return result


def _export_linked_rows(session: Session, entry: PersonalData, person: Person) -> list[dict[str, Any]]:
    table = Base.metadata.tables[entry.table]
    rows = session.execute(select(table).where(_linked(table, entry, person.id)).order_by(*table.primary_key))
    return [{k: jsonable(v) for k, v in row._mapping.items()} for row in rows]


def erase_person(session: Session, team_id: str, slack_user_id: str, *, actor: str) -> ErasureReport:
    """Remove or anonymise everything that names this person, keeping aggregates. Only flushes.

    Raises `UnknownPerson` / `AlreadyErased`, or `PrivacyError` when a table linking to people is not
    registered. Any exception leaves the work half-done in the session: the caller must roll back (the
    unit of work does), and nothing of the erasure is committed.
    """
    session.flush()
    person = _find(session, team_id, slack_user_id)
    problems = registry_problems()
    if problems:
        raise PrivacyError(_t("refusing to erase while personal data is not fully registered: {problems}"),
                           code="unregistered", problems="; ".join(problems))

    report = ErasureReport(team_id=team_id, person_id=person.id, erased_at=clock_of(session).now())
    terms = dedupe_terms([slack_user_id, person.email, person.real_name, person.display_name, person.name])
    ctx = Erasure(
        session=session,
        person=person,
        original_slack_id=slack_user_id,
        placeholder=ERASED_PREFIX + secrets.token_hex(8),
        terms=terms,
        report=report,
    )
    # The people row goes last: other steps may still need what it says (DM channel, ids).
    entries = sorted(registered(), key=lambda e: e.table == "people")
    existing = _existing_tables(session)
    for entry in entries:
        if entry.table not in existing:
            continue  # not created yet in this database: it holds nothing
        if entry.on_erase == "keep":
            if entry.eraser is not None:
                entry.eraser(ctx)
            continue
        table = Base.metadata.tables[entry.table]
        if entry.person_columns and entry.on_erase == "delete":
            result = session.execute(delete(table).where(_linked(table, entry, person.id)))
            report.count(report.deleted, entry.table, rowcount(result))
        else:
            owners = entry.person_columns if entry.owner_columns is None else entry.owner_columns
            if owners and entry.content_columns:
                values = {c: ({} if _is_json(table, c) else entry.replacement) for c in entry.content_columns}
                linked = or_(*(table.c[c] == person.id for c in owners))
                result = session.execute(update(table).where(linked).values(**values))
                report.count(report.replaced, entry.table, rowcount(result))
        if entry.eraser is not None:
            entry.eraser(ctx)
        if entry.text_columns:
            _redact_table(ctx, table, entry.text_columns)

    audit.record(
        session,
        actor=actor,
        action=ERASE_ACTION,
        team_id=team_id,
        subject=slack_user_id,
        details=report.as_audit(),
    )
    session.flush()
    session.expire_all()  # core statements above changed rows the session may hold
    return report


def _find(session: Session, team_id: str, slack_user_id: str) -> Person:
    person = person_by_slack_id(session, team_id, slack_user_id)
    if person is not None and person.erased_at is None:
        return person
    when = person.erased_at if person is not None else erased_at(session, team_id, slack_user_id)
    if when is not None:
        raise AlreadyErased(_t("{person} in workspace {team} was already erased on {date}"), code="already_erased",
                            person=slack_user_id, team=team_id, date=iso(when))
    raise UnknownPerson(_t("Candor holds no person {person} in workspace {team}"), code="unknown_person",
                        person=slack_user_id, team=team_id)


def _existing_tables(session: Session) -> set[str]:
    return set(inspect(session.connection()).get_table_names())


def _linked(table: Table, entry: PersonalData, person_id: int) -> ColumnElement[bool]:
    return or_(*(table.c[c] == person_id for c in entry.person_columns))


def _is_json(table: Table, column: str) -> bool:
    return isinstance(table.c[column].type, JSON)


def _redact_table(ctx: Erasure, table: Table, columns: tuple[str, ...]) -> None:
    """Redact the person's identifiers in these columns, in every row of the workspace that has them."""
    needles = {t.lower() for t in ctx.terms} | {json.dumps(t)[1:-1].lower() for t in ctx.terms}
    found = [
        func.lower(cast(table.c[c], Text), type_=Text).contains(n, autoescape=True)
        for c in columns
        for n in sorted(needles)
    ]
    if not found:
        return
    pk = list(table.primary_key.columns)
    query = select(*pk, *(table.c[c] for c in columns)).where(or_(*found))
    if "team_id" in table.c:
        query = query.where(table.c.team_id == ctx.report.team_id)
    changed = 0
    for row in ctx.session.execute(query).all():
        values = {}
        for i, c in enumerate(columns):
            old = row[len(pk) + i]
            new = ctx.redact(old)
            if new != old:
                values[c] = new
        if values:
            ctx.session.execute(update(table).where(*(col == row[j] for j, col in enumerate(pk))).values(**values))
            changed += 1
    ctx.report.count(ctx.report.redacted, table.name, changed)
