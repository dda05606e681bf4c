"""The core tables' personal data: the `people` row, the outbox, inbound Slack events, the audit log and the
bookkeeping tables. Each feature declares its own tables' entries (`models/<feature>/personal_data.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, cast, delete, or_, select, update
from sqlalchemy.orm import Session

from models.core import audit
from models.core.personal_data import Erasure, PersonalData, iso, jsonable, rowcount
from models.core.tables import AuditEntry, InboundEvent, OutboxMessage, Person


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


CORE: tuple[PersonalData, ...] = (
    PersonalData(
        table="people",
        person_columns=("id", "manager_id"),
        export=False,  # the profile and org sections of the export
        eraser=_erase_people_row,
        description="The person's profile and place in the org chart; the row stays, anonymised.",
    ),
    PersonalData(table="workspaces", on_erase="keep", export=False, description="No personal data."),
    PersonalData(
        table="outbox",
        person_columns=("recipient_id",),
        text_columns=("payload", "dedupe_key", "last_error"),
        content_columns=("payload",),
        eraser=_skip_undelivered_outbox,
        description="Messages to the person: undelivered ones skipped, payloads emptied.",
    ),
    PersonalData(
        table="inbound_events",
        text_columns=("payload", "last_error"),
        exporter=_export_events,
        eraser=_delete_own_events,
        description="Slack events by or about the person deleted; mentions elsewhere redacted.",
    ),
    PersonalData(
        table="view_submissions",
        on_erase="keep",
        export=False,
        description="Which modals were submitted, with record ids only (no names, no content); forgotten after "
        "two days.",
    ),
    PersonalData(
        table="audit_log",
        on_erase="keep",
        exporter=_export_audit,
        description="Never changed: append-only, and the one place that still names an erased person.",
    ),
    PersonalData(table="slack_pauses", on_erase="keep", export=False, description="Rate-limit pauses: none."),
    PersonalData(table="digest_posts", on_erase="keep", export=False,
                 description="Which weeks' HR digests were posted: no personal data (the digest is built anew)."),
    PersonalData(
        table="alerts",
        person_columns=("person_id",),
        on_erase="delete",
        text_columns=("details",),
        description="HR alerts about them deleted (a feature deletes the ones about its records, e.g. 1:1 pairs).",
    ),
)
