"""Personal data: what Candor holds about one person, how to export it and how to erase it.

A registry says, table by table, how rows link to a person and which columns may hold their words or names
(`models.core.personal_data.PersonalData`). The core tables are registered below; each feature declares its
tables' entries in its `Feature` (`models/<feature>/personal_data.py`), registered here from the one list of
features (`models.features`), so `export_person` / `erase_person` cover a new feature without changes here.
Erasure refuses to run while a table of
`Base.metadata` is not registered, or one of its columns referencing `people.id` is not declared, so a
forgotten table cannot keep what an erasure should remove.

Erasure, in one transaction (the caller's unit of work; a failure anywhere rolls all of it back):

- the `people` row stays, so counts and foreign keys stay consistent, but it no longer names anybody:
  name fields, email, time zone, locale, DM channel, title, department and start date are blanked,
  `slack_user_id` becomes a random `ERASED-<hex>` placeholder, `erased_at` and `is_deleted` are set, the
  HR flag and pause are cleared, the person's manager link and their reports' links to them are cleared;
- kudos they GAVE stay (recipients keep their recognition, values and counts), the message they wrote is
  replaced by `REMOVED_TEXT`; kudos they RECEIVED stay for the giver, still linked to the anonymised row;
- outbox messages addressed to them: undelivered ones are skipped, every payload is emptied;
- inbound Slack events: those the person is the subject of (their own actions, their profile changes) are
  deleted; elsewhere their identifiers are redacted;
- check-ins: their answers emptied (rows, periods, moods stay for participation counts), replies to them and
  by them replaced; HR alerts about them or their 1:1 pairs deleted; 1:1 tables: as `models/one_on_ones.py`
  registers them (what they wrote replaced, their names redacted elsewhere);
- in every registered text column of the workspace (other people's kudos messages, payloads, errors),
  the person's Slack id is replaced by the placeholder and their email and names by `REDACTED`, as whole
  words, case-insensitively. Over-redaction (someone else with the same display name) is preferred to a
  leak; nicknames or first names alone cannot be recognised and are not;
- the audit log is never changed: it records `privacy.erase` with the original Slack id as subject and
  is the one place that still names the person.

Erasing the same Slack id twice raises `AlreadyErased`; an id Candor never knew raises `UnknownPerson`.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, Table, Text, cast, delete, func, inspect, or_, select, update
from sqlalchemy.orm import Session

from models.core import audit
from models.core.base import Base
from models.core.clock import clock_of
from models.core.messages import DomainError, _t
from models.core.personal_data import (
    Erasure,
    ErasureReport,
    PersonalData,
    dedupe_terms,
    iso,
    jsonable,
    ref,
    rowcount,
)
from models.core.tables import AuditEntry, InboundEvent, OutboxMessage, Person
from models.features import personal_data
from models.people import person_by_slack_id

SCHEMA_VERSION = 1
ERASED_PREFIX = "ERASED-"
EXPORT_ACTION, ERASE_ACTION = "privacy.export", "privacy.erase"


class PrivacyError(DomainError):
    """An export or erasure that cannot be done; nothing was changed."""


class UnknownPerson(PrivacyError, LookupError):
    pass


class AlreadyErased(UnknownPerson):
    pass


# -- the registry -----------------------------------------------------------------------------------


_REGISTRY: dict[str, PersonalData] = {}


def register_personal_data(entry: PersonalData) -> PersonalData:
    """Add (or replace, by `entry.key`) a registry entry. Checks that the table and columns exist."""
    table = Base.metadata.tables.get(entry.table)
    if table is None:
        raise ValueError(f"personal data registered for unknown table {entry.table!r}")
    for col in (*entry.person_columns, *entry.text_columns, *entry.content_columns, *(entry.owner_columns or ())):
        if col not in table.c:
            raise ValueError(f"personal data registered for unknown column {entry.table}.{col}")
    if entry.on_erase not in ("anonymise", "delete", "keep"):
        raise ValueError(f"on_erase must be anonymise, delete or keep, not {entry.on_erase!r}")
    _REGISTRY[entry.key] = entry
    return entry


def unregister_personal_data(key: str) -> None:
    _REGISTRY.pop(key, None)


def registered() -> tuple[PersonalData, ...]:
    """Every registry entry: the core tables' and every feature's (`models.features`)."""
    return tuple(_REGISTRY.values())


def registry_problems() -> list[str]:
    """Tables of `Base.metadata` whose link to people no registry entry covers (empty: all covered)."""
    covered = {(e.table, c) for e in _REGISTRY.values() for c in e.person_columns}
    listed = {e.table for e in _REGISTRY.values()}
    problems = []
    for table in Base.metadata.sorted_tables:
        if table.name not in listed:
            problems.append(f"table {table.name} is not registered in models.privacy (register it, even as 'keep')")
            continue
        for col in table.c:
            to_people = any(fk.column.table.name == "people" for fk in col.foreign_keys)
            if to_people and (table.name, col.name) not in covered:
                problems.append(f"{table.name}.{col.name} references people but is not a registered person column")
    return problems


# -- export --------------------------------------------------------------------------------------------


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
    for entry in _REGISTRY.values():
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


# -- erasure -------------------------------------------------------------------------------------------


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
    entries = sorted(_REGISTRY.values(), key=lambda e: e.table == "people")
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


def was_erased(session: Session, team_id: str, slack_user_id: str) -> bool:
    """True when the audit log says this Slack id was erased in this workspace.

    Directory sync should not re-create an erased person from Slack: ask this first.
    """
    return _erased_at(session, team_id, slack_user_id) is not None


def _erased_at(session: Session, team_id: str, slack_user_id: str) -> datetime | None:
    return session.scalar(
        select(AuditEntry.created_at)
        .where(
            AuditEntry.action == ERASE_ACTION,
            AuditEntry.team_id == team_id,
            AuditEntry.subject == slack_user_id,
        )
        .order_by(AuditEntry.id)
        .limit(1)
    )


def _find(session: Session, team_id: str, slack_user_id: str) -> Person:
    person = person_by_slack_id(session, team_id, slack_user_id)
    if person is not None and person.erased_at is None:
        return person
    when = person.erased_at if person is not None else _erased_at(session, team_id, slack_user_id)
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


# -- JSON helpers ----------------------------------------------------------------------------------------


# -- the core tables -----------------------------------------------------------------------------------


def _erase_people_row(ctx: Erasure) -> None:
    session, person = ctx.session, ctx.person
    reports = list(session.scalars(select(Person).where(Person.manager_id == person.id).order_by(Person.id)))
    ctx.report.reports_unlinked = [r.slack_user_id for r in reports]
    for r in reports:
        r.manager_id = None
    ctx.report.manager_cleared = person.manager_id is not None
    person.manager_id = None
    person.slack_user_id = ctx.placeholder
    person.name = person.real_name = person.display_name = ""
    person.email = person.tz = person.locale = person.dm_channel_id = None
    person.title = person.department = None
    person.start_date = None
    person.is_hr_admin = False
    person.paused_until = None
    person.is_deleted = True
    person.erased_at = ctx.report.erased_at
    session.flush()


def _skip_undelivered_outbox(ctx: Erasure) -> None:
    result = ctx.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.recipient_id == ctx.person.id,
            OutboxMessage.state.in_(["pending", "sending"]),
        )
        .values(state="skipped", lease_until=None, lease_owner=None, last_error="recipient erased")
        .execution_options(synchronize_session=False)
    )
    ctx.report.outbox_skipped = rowcount(result)
    if ctx.person.dm_channel_id:
        ctx.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.recipient_id == ctx.person.id, OutboxMessage.channel_id == ctx.person.dm_channel_id)
            .values(channel_id=None)
            .execution_options(synchronize_session=False)
        )


def _event_subject(payload: Any) -> str | None:
    """The Slack id of the person an event is by or about (`event.user`, a string or a user object)."""
    if not isinstance(payload, dict):
        return None
    event = payload.get("event")
    user = event.get("user") if isinstance(event, dict) else None
    if isinstance(user, dict):
        user = user.get("id")
    return user if isinstance(user, str) else None


def _events_mentioning(session: Session, team_id: str, slack_user_id: str) -> list[InboundEvent]:
    return list(
        session.scalars(
            select(InboundEvent)
            .where(
                InboundEvent.team_id == team_id,
                cast(InboundEvent.payload, Text).contains(slack_user_id, autoescape=True),
            )
            .order_by(InboundEvent.received_at, InboundEvent.event_id)
        )
    )


def _export_events(session: Session, person: Person) -> list[dict[str, Any]]:
    """Events the person is the subject of: the `event` part only (the envelope carries app secrets)."""
    out = []
    for ev in _events_mentioning(session, person.team_id, person.slack_user_id):
        if _event_subject(ev.payload) == person.slack_user_id:
            event = ev.payload.get("event") if isinstance(ev.payload, dict) else None
            out.append(
                {
                    "event_id": ev.event_id,
                    "event_type": ev.event_type,
                    "received_at": iso(ev.received_at),
                    "state": ev.state,
                    "event": jsonable(event),
                }
            )
    return out


def _delete_own_events(ctx: Erasure) -> None:
    doomed = [
        ev.event_id
        for ev in _events_mentioning(ctx.session, ctx.report.team_id, ctx.original_slack_id)
        if _event_subject(ev.payload) == ctx.original_slack_id
    ]
    if doomed:
        result = ctx.session.execute(
            delete(InboundEvent).where(InboundEvent.event_id.in_(doomed)).execution_options(synchronize_session=False)
        )
        ctx.report.count(ctx.report.deleted, InboundEvent.__tablename__, rowcount(result))


def _export_audit(session: Session, person: Person) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.team_id == person.team_id,
            or_(
                AuditEntry.subject == person.slack_user_id,
                AuditEntry.actor == audit.slack_actor(person.slack_user_id),
            ),
        )
        .order_by(AuditEntry.id)
    )
    return [
        {"at": iso(e.created_at), "actor": e.actor, "action": e.action, "subject": e.subject, "details": e.details}
        for e in rows
    ]


register_personal_data(
    PersonalData(
        table="people",
        person_columns=("id", "manager_id"),
        export=False,  # the profile and org sections of the export
        eraser=_erase_people_row,
        description="The person's profile and place in the org chart; the row stays, anonymised.",
    )
)
register_personal_data(PersonalData(table="workspaces", on_erase="keep", export=False, description="No personal data."))
register_personal_data(
    PersonalData(
        table="outbox",
        person_columns=("recipient_id",),
        text_columns=("payload", "dedupe_key", "last_error"),
        content_columns=("payload",),
        eraser=_skip_undelivered_outbox,
        description="Messages to the person: undelivered ones skipped, payloads emptied.",
    )
)
register_personal_data(
    PersonalData(
        table="inbound_events",
        text_columns=("payload", "last_error"),
        exporter=_export_events,
        eraser=_delete_own_events,
        description="Slack events by or about the person deleted; mentions elsewhere redacted.",
    )
)
register_personal_data(
    PersonalData(
        table="view_submissions",
        on_erase="keep",
        export=False,
        description="Which modals were submitted, with record ids only (no names, no content); forgotten after "
        "two days.",
    )
)
register_personal_data(
    PersonalData(
        table="audit_log",
        on_erase="keep",
        exporter=_export_audit,
        description="Never changed: append-only, and the one place that still names an erased person.",
    )
)


register_personal_data(
    PersonalData(table="slack_pauses", on_erase="keep", export=False, description="Rate-limit pauses: none.")
)
register_personal_data(
    PersonalData(
        table="alerts",
        person_columns=("person_id",),
        on_erase="delete",
        text_columns=("details",),
        description="HR alerts about them deleted (a feature deletes the ones about its records, e.g. 1:1 pairs).",
    )
)


for _entry in personal_data():  # every feature's tables, from the one list of features
    register_personal_data(_entry)
