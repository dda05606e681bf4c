"""The 1:1 outbox renderers, built at send time from the store: the agenda, the nudge, the notes and the
schedule change, each skipped when the pair or the recipient's place in it changed meanwhile."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.delivery import RenderContext, Rendered, Skip
from handlers.one_on_ones import views
from handlers.one_on_ones.cards import card_for
from models import one_on_ones as domain
from models.agenda import build_agenda
from models.core.clock import clock_of
from models.core.tables import Alert, Person
from models.one_on_ones.tables import OneOnOneMeeting


def recipient_of(ctx: RenderContext) -> Person:
    if ctx.recipient is None:
        raise Skip("no recipient")
    return ctx.recipient


def render_agenda(ctx: RenderContext) -> Rendered:
    """Built at send time from the store, so it is fresh; skipped when the pair changed meanwhile."""
    recipient = recipient_of(ctx)
    payload = ctx.row.payload
    pair = domain.live_pair(ctx.session, int(payload["pair_id"]))
    if pair is None:
        raise Skip("the 1:1 pair ended (manager change or deactivation)")
    if not domain.is_member(pair, recipient):
        raise Skip("the recipient is no longer in this 1:1")
    period, at = str(payload["meeting_period"]), datetime.fromisoformat(str(payload["meeting_at"]))
    week = domain.meetings_between(pair, at - timedelta(days=7), at + timedelta(days=7))
    slot = domain.slot_for(pair, period, at) or next((s for s in week if s.period == period), None)
    if slot is None:
        raise Skip("the 1:1 was moved out of that week")
    now = clock_of(ctx.session).now()
    agenda = build_agenda(ctx.session, pair, recipient, ctx.org, until=slot.at)
    card = card_for(ctx.session, pair, recipient, ctx.t, min(now, slot.at - timedelta(seconds=1)))
    text, blocks = views.agenda_message(ctx.t, agenda, card, meeting_period=slot.period, meeting_at=slot.at,
                                        tz=recipient.tz)
    return Rendered(text=text, blocks=blocks)


def render_nudge(ctx: RenderContext) -> Rendered:
    recipient = recipient_of(ctx)
    alert = ctx.session.get(Alert, int(ctx.row.payload["alert_id"]))
    if alert is None or alert.resolved_at is not None:
        raise Skip("the 1:1 took place meanwhile")
    pair = domain.live_pair(ctx.session, alert.pair_id or 0)
    if pair is None or pair.manager_id != recipient.id:
        raise Skip("the 1:1 pair ended")
    card = card_for(ctx.session, pair, recipient, ctx.t, clock_of(ctx.session).now())
    text, blocks = views.nudge_dm(ctx.t, card, weeks=int(alert.details.get("weeks") or
                                                         ctx.org.one_on_ones.no_meeting_alert_weeks))
    return Rendered(text=text, blocks=blocks)


def render_notes(ctx: RenderContext) -> Rendered:
    recipient = recipient_of(ctx)
    payload = ctx.row.payload
    meeting = ctx.session.get(OneOnOneMeeting, int(payload["meeting_id"]))
    author = ctx.session.get(Person, int(payload["author_id"]))
    if meeting is None or author is None:
        raise Skip("the meeting is gone")
    notes = domain.meeting_notes(ctx.session, recipient, meeting, ctx.org)
    items = []
    for item_id in payload.get("item_ids") or []:
        item = domain.action_item_for(ctx.session, recipient, int(item_id), ctx.org)
        if item is not None and item.done_at is None:
            owner = ctx.session.get(Person, item.owner_id)
            items.append((item.id, views.item_line(ctx.t, item.text, owner.label if owner else "?", item.due_date)))
    if notes is None and not items:
        raise Skip("nothing the recipient may see")
    text, blocks = views.notes_dm(ctx.t, author_id=author.slack_user_id, meeting_at=meeting.scheduled_at,
                                  notes=notes, items=items)
    return Rendered(text=text, blocks=blocks)


def render_schedule(ctx: RenderContext) -> Rendered:
    recipient = recipient_of(ctx)
    pair = domain.live_pair(ctx.session, int(ctx.row.payload["pair_id"]))
    actor = ctx.session.get(Person, int(ctx.row.payload["actor_id"]))
    if pair is None or actor is None or not domain.is_member(pair, recipient):
        raise Skip("the 1:1 pair ended")
    text, blocks = views.schedule_dm(ctx.t, card_for(ctx.session, pair, recipient, ctx.t, clock_of(ctx.session).now()),
                                     actor_id=actor.slack_user_id)
    return Rendered(text=text, blocks=blocks)


RENDERERS = {domain.AGENDA_KIND: render_agenda, domain.NUDGE_KIND: render_nudge, domain.NOTES_KIND: render_notes,
             domain.SCHEDULE_KIND: render_schedule}
