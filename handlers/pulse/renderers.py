"""Pulse messages the outbox delivers, built at send time: the survey DM and its reminder (only to people the
wave asked, while it is open, and not to those who answered: the renderer holds the key that reads
participation), a manager's team results and HR's results (as the access policy and the disclosure rules allow
when they are sent)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.delivery import RenderContext, Rendered, Renderer, Skip
from handlers.pulse import views
from models import access
from models.core.clock import clock_of
from models.pulse import waves
from models.pulse.jobs import HR_RESULTS, TEAM_RESULTS
from models.pulse.prompts import INVITE_KIND, REMINDER_KIND
from models.pulse.results import WaveResults, wave_results
from models.pulse.tables import PulseWave


def _name(ctx: RenderContext, wave: PulseWave) -> str:
    survey = ctx.org.pulse.survey(wave.survey_id)
    return survey.name if survey is not None else wave.survey_id


def _invite(ctx: RenderContext, *, reminder: bool) -> Rendered:
    if not ctx.org.pulse.enabled or ctx.recipient is None:
        raise Skip("pulse surveys are off, or nobody to send to")
    key = ctx.key(waves.KEY_PURPOSE)
    if key is None:
        raise Skip("this process has no key to read participation")
    payload = ctx.row.payload
    wave = waves.find_wave(ctx.session, ctx.recipient.team_id, str(payload.get("survey")), str(payload.get("period")))
    if wave is None:
        raise Skip("the survey's wave was not opened")
    # Whether a person got this message, or it was skipped, tells who has answered: the row is deleted
    # either way, with a reason that names nothing.
    try:
        waves.check_answerable(ctx.session, key, wave, ctx.recipient, clock_of(ctx.session).now())
    except waves.PulseError:
        raise Skip("not sent", forget=True) from None
    text, blocks = views.invite_dm(ctx.t, wave, _name(ctx, wave), reminder=reminder)
    return Rendered(text=text, blocks=blocks, forget=True)


def render_invite(ctx: RenderContext) -> Rendered:
    return _invite(ctx, reminder=False)


def render_reminder(ctx: RenderContext) -> Rendered:
    return _invite(ctx, reminder=True)


def _results(ctx: RenderContext) -> tuple[PulseWave, WaveResults]:
    wave = ctx.session.get(PulseWave, int(ctx.row.payload.get("wave_id") or 0))
    if wave is None or ctx.recipient is None or not ctx.recipient.active:
        raise Skip("the wave is gone, or the recipient cannot be reached")
    return wave, wave_results(ctx.session, ctx.org, wave, clock_of(ctx.session).now())


def render_team_results(ctx: RenderContext) -> Rendered:
    wave, results = _results(ctx)
    assert ctx.recipient is not None
    group = results.group(str(ctx.row.payload.get("group") or ""))
    if group is None or group.manager_id != ctx.recipient.id:
        raise Skip("the team is not shown in the results, or is not the recipient's")
    viewer = access.Viewer.slack(ctx.recipient, ctx.org.hr.admins)
    if not access.can_see(ctx.session, viewer, access.RecordKind.PULSE_AGGREGATE, owner=ctx.recipient,
                          group_size=group.respondents, min_group_size=wave.min_respondents):
        raise Skip("the access policy hides these results from the recipient")
    text, blocks = views.team_results_dm(ctx.t, results, group, _name(ctx, wave))
    return Rendered(text=text, blocks=blocks)


def render_hr_results(ctx: RenderContext) -> Rendered:
    wave, results = _results(ctx)
    assert ctx.recipient is not None
    viewer = access.Viewer.slack(ctx.recipient, ctx.org.hr.admins)
    if not access.can_see(ctx.session, viewer, access.RecordKind.HR_DIGEST, team_id=wave.team_id):
        raise Skip("the recipient is no longer an HR admin")
    text, blocks = views.hr_results_dm(ctx.t, results, _name(ctx, wave))
    return Rendered(text=text, blocks=blocks)


RENDERERS: Mapping[str, Renderer] = {
    INVITE_KIND: render_invite, REMINDER_KIND: render_reminder, TEAM_RESULTS: render_team_results,
    HR_RESULTS: render_hr_results,
}
