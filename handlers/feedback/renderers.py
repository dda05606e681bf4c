"""Feedback messages the outbox delivers, built at send time from the store: the recipient's DM (skipped when
they may no longer see the feedback), the manager's DM for managers-only feedback, a request to a peer and its
one reminder (skipped once answered or declined), and the kind word to a requester when a peer declines; for
360 rounds, the reviewer's invitation and reminder (skipped once they answered or declined, or the round closed),
the notice to the person it is about, and the results (as the recipient may see them when it is sent)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import selectinload

from bot.delivery import RenderContext, Rendered, Renderer, Skip
from handlers.feedback import round_views, views
from models.core.clock import clock_of
from models.feedback import Feedback, FeedbackRequest, FeedbackRequestPeer, can_see, viewer_of
from models.feedback import rounds as fr
from models.feedback.prompts import ROUND_REMINDER_KIND, ROUND_RESULTS_KIND
from models.feedback.tables import FeedbackRound

RECEIVED, FOR_MANAGER = "feedback.received", "feedback.for_manager"
REQUEST, REMINDER, DECLINED = "feedback.request", "feedback.reminder", "feedback.declined"


def _feedback_for(ctx: RenderContext) -> Feedback:
    if ctx.recipient is None or not ctx.recipient.active:
        raise Skip("the recipient cannot be reached")
    feedback = ctx.session.get(Feedback, int(ctx.row.payload.get("feedback_id") or 0),
                               options=[selectinload(Feedback.author), selectinload(Feedback.subject)])
    if feedback is None:
        raise Skip("the feedback is gone")
    if not can_see(ctx.session, viewer_of(ctx.recipient, ctx.org), feedback):
        raise Skip("the recipient may no longer see this feedback")
    return feedback


def _request_row(ctx: RenderContext) -> FeedbackRequestPeer:
    row = ctx.session.get(FeedbackRequestPeer, int(ctx.row.payload.get("request_peer_id") or 0),
                          options=[selectinload(FeedbackRequestPeer.request).selectinload(FeedbackRequest.requester),
                                   selectinload(FeedbackRequestPeer.peer)])
    if row is None:
        raise Skip("the request is gone")
    return row


def render_received(ctx: RenderContext) -> Rendered:
    feedback = _feedback_for(ctx)
    assert ctx.recipient is not None
    if feedback.subject_id != ctx.recipient.id:
        raise Skip("the feedback is not about the recipient")
    text, blocks = views.received_dm(ctx.t, feedback, ctx.org.feedback)
    return Rendered(text=text, blocks=blocks)


def render_for_manager(ctx: RenderContext) -> Rendered:
    feedback = _feedback_for(ctx)
    text, blocks = views.manager_dm(ctx.t, feedback, ctx.org.feedback)
    return Rendered(text=text, blocks=blocks)


def _render_request(ctx: RenderContext, *, reminder: bool) -> Rendered:
    if not ctx.org.feedback.enabled:
        raise Skip("feedback is turned off")
    row = _request_row(ctx)
    if ctx.recipient is None or not ctx.recipient.active or row.peer_id != ctx.recipient.id:
        raise Skip("the request is not for the recipient")
    if row.state != "pending":
        raise Skip("the request was answered or declined meanwhile")
    competency = ctx.org.feedback.competency(row.request.competency)
    text, blocks = views.request_dm(ctx.t, row, competency, reminder=reminder)
    return Rendered(text=text, blocks=blocks)


def render_request(ctx: RenderContext) -> Rendered:
    return _render_request(ctx, reminder=False)


def render_reminder(ctx: RenderContext) -> Rendered:
    return _render_request(ctx, reminder=True)


def render_declined(ctx: RenderContext) -> Rendered:
    row = _request_row(ctx)
    if ctx.recipient is None or not ctx.recipient.active or row.request.requester_id != ctx.recipient.id:
        raise Skip("the requester cannot be reached")
    if row.state != "declined":
        raise Skip("the request is no longer declined")
    text, blocks = views.declined_dm(ctx.t, row)
    return Rendered(text=text, blocks=blocks)


def _round(ctx: RenderContext) -> FeedbackRound:
    if not ctx.org.feedback.enabled:
        raise Skip("feedback is turned off")
    if ctx.recipient is None or not ctx.recipient.active:
        raise Skip("the recipient cannot be reached")
    round_ = fr.find_round(ctx.session, int(ctx.row.payload.get("round_id") or 0))
    if round_ is None or round_.cancelled_at is not None:
        raise Skip("the round is gone or cancelled")
    return round_


def _invite(ctx: RenderContext, *, reminder: bool) -> Rendered:
    round_ = _round(ctx)
    assert ctx.recipient is not None
    row = next((r for r in round_.reviewers if r.reviewer_id == ctx.recipient.id), None)
    if row is None or row.state != "pending":
        raise Skip("the reviewer answered or declined meanwhile")
    if not fr.is_open(round_, clock_of(ctx.session).now()):
        raise Skip("the round has closed")
    text, blocks = round_views.invite_dm(ctx.t, row, named=fr.is_named(row), reminder=reminder)
    return Rendered(text=text, blocks=blocks)


def render_round_invite(ctx: RenderContext) -> Rendered:
    return _invite(ctx, reminder=False)


def render_round_reminder(ctx: RenderContext) -> Rendered:
    return _invite(ctx, reminder=True)


def render_round_started(ctx: RenderContext) -> Rendered:
    round_ = _round(ctx)
    assert ctx.recipient is not None
    if round_.subject_id != ctx.recipient.id:
        raise Skip("the round is not about the recipient")
    text, blocks = round_views.started_dm(ctx.t, round_)
    return Rendered(text=text, blocks=blocks)


def render_round_results(ctx: RenderContext) -> Rendered:
    """Built at send time, as this recipient may see it now (the access policy's `feedback_360`)."""
    round_ = _round(ctx)
    assert ctx.recipient is not None
    if not fr.can_see_results(ctx.session, ctx.org, ctx.recipient, round_):
        raise Skip("the recipient may not see this round's results")
    res = fr.results(ctx.session, ctx.org, round_, clock_of(ctx.session).now())
    if res.state != "closed":
        raise Skip("the round has not closed")
    text, blocks = round_views.results_dm(ctx.t, ctx.org.feedback, res)
    return Rendered(text=text, blocks=blocks)


RENDERERS: Mapping[str, Renderer] = {
    RECEIVED: render_received, FOR_MANAGER: render_for_manager, REQUEST: render_request, REMINDER: render_reminder,
    DECLINED: render_declined, fr.INVITE: render_round_invite, fr.STARTED: render_round_started,
    ROUND_REMINDER_KIND: render_round_reminder, ROUND_RESULTS_KIND: render_round_results,
}
