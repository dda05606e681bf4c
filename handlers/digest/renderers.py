"""The HR digest's messages, built when they are sent: the summary in the HR channel, a thread reply per
section, the chart and the long tails' CSV files in the thread; on a re-run, updates of the summary and the
replies (chat.update of the messages the first run posted). A reply waits (`Defer`) until its thread exists."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from bot.delivery import Defer, RenderContext, Rendered, Renderer, Skip
from handlers.digest import chart, views
from models.core.digest import Week
from models.core.tables import OutboxMessage
from models.digest import CHART, CSV, SECTION, SHOWN_LINES, SUMMARY, build_digest, build_section, row_key


def _week(ctx: RenderContext) -> Week:
    try:
        return Week.parse(str(ctx.row.payload.get("week") or ""), str(ctx.row.payload.get("zone") or "UTC"))
    except ValueError:
        raise Skip("the row names no week") from None


def _sent_ts(ctx: RenderContext, part: str) -> str:
    """The ts of the first run's message for `part`; Defer while it is on its way, Skip if it never will be."""
    found = ctx.session.scalars(select(OutboxMessage).where(
        OutboxMessage.team_id == ctx.row.team_id,
        OutboxMessage.dedupe_key == row_key(ctx.row.team_id, str(ctx.row.payload.get("week")), part, 0))).first()
    if found is None or found.state in ("skipped", "dead"):
        raise Skip(f"the digest's {part} was never posted")
    if found.state != "sent" or not found.sent_ts:
        raise Defer(f"the digest's {part} is not posted yet")
    return found.sent_ts


def _in_order(ctx: RenderContext) -> None:
    """A reply waits for the reply before it, so the thread reads in section order."""
    after = ctx.row.payload.get("after")
    if not after or int(ctx.row.payload.get("revision") or 0):
        return
    found = ctx.session.scalars(select(OutboxMessage.state).where(
        OutboxMessage.team_id == ctx.row.team_id,
        OutboxMessage.dedupe_key == row_key(ctx.row.team_id, str(ctx.row.payload.get("week")), str(after), 0))).first()
    if found in ("pending", "sending"):
        raise Defer(f"waiting for the digest's {after}")


def render_summary(ctx: RenderContext) -> Rendered:
    week = _week(ctx)
    revision = int(ctx.row.payload.get("revision") or 0)
    update = _sent_ts(ctx, "summary") if revision else None
    text, blocks = views.summary_blocks(ctx.t, build_digest(ctx.session, ctx.org, ctx.row.team_id, week))
    return Rendered(text=text, blocks=blocks, update_ts=update)


def render_section(ctx: RenderContext) -> Rendered:
    week = _week(ctx)
    key = str(ctx.row.payload.get("section") or "")
    revision = int(ctx.row.payload.get("revision") or 0)
    _in_order(ctx)
    section = build_section(ctx.session, ctx.org, ctx.row.team_id, week, key)
    if section is None:
        raise Skip(f"no digest section {key!r}")
    text, blocks = views.section_blocks(ctx.t, section, shown_lines=SHOWN_LINES)
    if revision:
        return Rendered(text=text, blocks=blocks, update_ts=_sent_ts(ctx, f"section:{key}"))
    return Rendered(text=text, blocks=blocks, thread_ts=_sent_ts(ctx, "summary"))


def render_chart(ctx: RenderContext) -> Rendered:
    week = _week(ctx)
    thread = _sent_ts(ctx, "summary")
    _in_order(ctx)
    digest = build_digest(ctx.session, ctx.org, ctx.row.team_id, week)
    png = chart.chart_png(ctx.t, digest)
    if png is None:
        raise Skip("no figure has a history yet: no chart")
    title = ctx.t("Weekly trends for {week}.", week=week.label)
    return Rendered(text=title, file=(f"digest-{week.label}.png", png, title),
                    alt_text=chart.alt_text(ctx.t, digest), thread_ts=thread)


def render_csv(ctx: RenderContext) -> Rendered:
    week = _week(ctx)
    key = str(ctx.row.payload.get("section") or "")
    thread = _sent_ts(ctx, "summary")
    _in_order(ctx)
    section = build_section(ctx.session, ctx.org, ctx.row.team_id, week, key)
    if section is None or not section.tail:
        raise Skip("nothing to list")
    title = views.render(ctx.t, section.title)
    return Rendered(text=ctx.t("{section}: the full list", section=title),
                    file=(f"digest-{week.label}-{key}.csv", views.tail_csv(section), title), thread_ts=thread)


RENDERERS: Mapping[str, Renderer] = {SUMMARY: render_summary, SECTION: render_section, CHART: render_chart,
                                     CSV: render_csv}
