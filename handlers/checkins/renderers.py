"""The check-in outbox renderers, built at send time from the store: the prompt and reminder (skipped once
answered), the manager's summary (only to someone who may see it), replies and nudges."""

from __future__ import annotations

from sqlalchemy import select

from bot.delivery import RenderContext, Rendered, Skip
from handlers.checkins import views
from models import access, checkins
from models.checkins.tables import Checkin, CheckinReply
from models.core.tables import Alert, OutboxMessage, Person


def _answered(ctx: RenderContext) -> bool:
    assert ctx.recipient is not None
    return checkins.for_period(ctx.session, ctx.recipient, str(ctx.row.payload["period"])) is not None


def render_prompt(ctx: RenderContext) -> Rendered:
    if ctx.recipient is None or _answered(ctx):
        raise Skip("already answered")
    text, blocks = views.prompt_message(ctx.t, str(ctx.row.payload["period"]))
    return Rendered(text=text, blocks=blocks)


def render_reminder(ctx: RenderContext) -> Rendered:
    if ctx.recipient is None or _answered(ctx):
        raise Skip("already answered")
    period = str(ctx.row.payload["period"])
    prompt_sent = ctx.session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.recipient_id == ctx.recipient.id, OutboxMessage.kind == "checkin.prompt",
        OutboxMessage.state == "sent", OutboxMessage.payload["period"].as_string() == period)).first()
    if prompt_sent is None:
        raise Skip("the check-in prompt itself was not delivered")
    text, blocks = views.prompt_message(ctx.t, period, reminder=True)
    return Rendered(text=text, blocks=blocks)


def render_summary(ctx: RenderContext) -> Rendered:
    checkin = ctx.session.get(Checkin, int(ctx.row.payload["checkin_id"]))
    if checkin is None:
        raise Skip("the check-in is gone")
    if checkin.version != int(ctx.row.payload["version"]):
        raise Skip("superseded by a later edit")
    if ctx.recipient is None or not access.can_see(
        ctx.session, access.Viewer.slack(ctx.recipient, hr_admin_ids=frozenset(ctx.org.hr.admins)),
        access.RecordKind.CHECKIN_ANSWER, owner=checkin.person,
    ):
        raise Skip("the recipient may no longer see this check-in (manager changed)")
    blocker_ids = {q.id for q in ctx.org.checkins.questions if q.blocker}
    text, blocks = views.summary_message(ctx.t, checkin, blocker_ids=blocker_ids)
    return Rendered(text=text, blocks=blocks)


def render_reply(ctx: RenderContext) -> Rendered:
    note = ctx.session.get(CheckinReply, int(ctx.row.payload["reply_id"]))
    if note is None:
        raise Skip("the reply is gone")
    checkin = ctx.session.get(Checkin, note.checkin_id)
    author = ctx.session.get(Person, note.author_id)
    assert checkin is not None and author is not None
    text, blocks = views.reply_dm(ctx.t, author.slack_user_id, checkin.period, note.text)
    return Rendered(text=text, blocks=blocks)


def render_nudge(ctx: RenderContext) -> Rendered:

    alert = ctx.session.get(Alert, int(ctx.row.payload["alert_id"]))
    person = ctx.session.get(Person, alert.person_id) if alert and alert.person_id else None
    if alert is None or person is None or not person.active:
        raise Skip("no longer relevant")
    if ctx.recipient is None or person.manager_id != ctx.recipient.id:
        raise Skip("the recipient is no longer this person's manager")
    text, blocks = views.nudge_dm(ctx.t, person.slack_user_id, len(alert.details.get("missed", [])))
    return Rendered(text=text, blocks=blocks)


RENDERERS = {"checkin.prompt": render_prompt, "checkin.reminder": render_reminder, "checkin.summary": render_summary,
             "checkin.reply": render_reply, "checkin.nudge": render_nudge}
