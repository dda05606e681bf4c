"""Inbound events, each handled exactly once however often Slack delivers it.

Before Bolt acks an Events API request, a middleware stores the event (id and payload). The listener
then runs every feature's handler for that event type (`SlackSide.events`, gathered by `bot.registry`
and handed to `register`) in one transaction that also marks the event `done`. Slack's retries of
a done event are ignored; a retry of one that failed runs again; and an event stored but never finished
(the process died after the ack) is replayed by the `replay_events` job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.registry import EventHandler
from bot.services import Services
from models.core.clock import clock_of
from models.core.tables import InboundEvent

if TYPE_CHECKING:
    from slack_bolt import App

log = logging.getLogger(__name__)

def record(services: Services, body: dict[str, Any]) -> None:
    """Store an event before it is acked. A retry of a known event changes nothing here."""
    event_id = body.get("event_id")
    if not event_id:
        return
    event = body.get("event") or {}
    try:
        with services.db.unit_of_work() as session:
            if session.get(InboundEvent, event_id) is None:
                session.add(
                    InboundEvent(
                        event_id=event_id,
                        team_id=str(body.get("team_id") or ""),
                        event_type=str(event.get("type") or "unknown"),
                        payload=body,
                    )
                )
    except IntegrityError:
        pass  # a concurrent delivery of the same event stored it first


# Event type → the handlers of every feature for it (`bot.registry.SlackRegistry.events`).
Handlers = Mapping[str, tuple[EventHandler, ...]]


def process(services: Services, handlers_by_type: Handlers, body: dict[str, Any]) -> bool:
    """Run the handlers for a stored event once. Returns False when it had already been done."""
    event_id = str(body.get("event_id") or "")
    event = body.get("event") or {}
    handlers = handlers_by_type.get(str(event.get("type")), ())
    if not handlers:
        return False
    try:
        with services.unit_of_work() as session:
            claimed = session.execute(
                update(InboundEvent)
                .where(InboundEvent.event_id == event_id, InboundEvent.state != "done")
                .values(state="processing", attempts=InboundEvent.attempts + 1)
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            if not claimed:
                if not event_id or session.get(InboundEvent, event_id) is None:
                    log.warning("event %s was not recorded; handling it anyway", event_id or "(no id)")
                else:
                    log.info("event %s already handled: ignoring Slack's retry", event_id)
                    return False
            for handler in handlers:  # every feature that handles this event type, in one transaction
                handler(session, services, body)
            if claimed:
                session.execute(
                    update(InboundEvent)
                    .where(InboundEvent.event_id == event_id)
                    .values(state="done", finished_at=clock_of(session).now(), last_error=None)
                    .execution_options(synchronize_session=False)
                )
    except Exception as exc:
        with services.db.unit_of_work() as session:
            session.execute(
                update(InboundEvent)
                .where(InboundEvent.event_id == event_id, InboundEvent.state != "done")
                .values(state="failed", last_error=repr(exc)[:2000])
                .execution_options(synchronize_session=False)
            )
        raise
    return True


def replay(services: Services, handlers: Handlers, *, older_than: timedelta = timedelta(minutes=5),
           limit: int = 100) -> int:
    """Handle events that were stored but never finished (crash after ack, or a failed handler)."""
    cutoff = services.clock.now() - older_than
    with services.db.reading() as session:
        stuck = list(
            session.scalars(
                select(InboundEvent.payload)
                .where(InboundEvent.state.in_(["received", "processing", "failed"]))
                .where(InboundEvent.received_at < cutoff, InboundEvent.attempts < 5)
                .order_by(InboundEvent.received_at)
                .limit(limit)
            )
        )
    done = 0
    for body in stuck:
        if not body:
            continue
        try:
            done += process(services, handlers, body)
        except Exception:
            log.exception("replaying event %s failed", body.get("event_id"))
    return done


def register(app: App, services: Services, handlers: Handlers) -> None:
    @app.middleware
    def store_events_before_ack(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        if body.get("type") == "event_callback":
            record(services, body)
        return next()

    def make_listener(event_type: str) -> Callable[..., None]:
        def listener(body: dict[str, Any]) -> None:
            process(services, handlers, body)

        listener.__name__ = f"on_{event_type}"
        return listener

    for event_type in sorted(handlers):
        app.event(event_type)(make_listener(event_type))
