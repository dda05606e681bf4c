"""The kudos outbox renderers: the public post and the DM to each recipient, built at send time."""

from __future__ import annotations

from typing import Any

from bot.delivery import RenderContext, Rendered, Skip
from handlers.kudos import views
from models.core.config import OrgConfig
from models.kudos import get_kudos


def catalog(org: OrgConfig) -> dict[str, Any]:
    return {v.name: v for v in org.values}


def render_announcement(ctx: RenderContext) -> Rendered:
    kudos = get_kudos(ctx.session, int(ctx.row.payload["kudos_id"]))
    if kudos is None:
        raise Skip("the kudos was deleted")
    text, blocks = views.announcement(ctx.t, kudos, catalog(ctx.org))  # no recipient: the workspace language
    return Rendered(text=text, blocks=blocks)


def render_dm(ctx: RenderContext) -> Rendered:
    kudos = get_kudos(ctx.session, int(ctx.row.payload["kudos_id"]))
    if kudos is None:
        raise Skip("the kudos was deleted")
    text, blocks = views.recipient_dm(ctx.t, kudos, catalog(ctx.org))
    return Rendered(text=text, blocks=blocks)


RENDERERS = {"kudos.announce": render_announcement, "kudos.dm": render_dm}
