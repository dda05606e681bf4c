"""The App Home tab: every feature's sections, published on `app_home_opened` and refreshed through the
outbox after changes (`models.core.outbox.request_home_refresh`, merged per person)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.blocks import VIEW_BLOCKS_MAX, context
from bot.delivery import RenderContext, Rendered, Renderer, Skip
from bot.i18n import Translator
from bot.registry import HomeSection, SlackSide
from bot.services import Services
from models.core.config import OrgConfig
from models.core.outbox import HOME_KIND, request_home_refresh
from models.core.ports import KnownDirectory, SlackUser
from models.core.tables import Person
from models.people import ensure_people


def home_view(t: Translator, sections: list[list[Block]]) -> View:
    """The sections joined by dividers, within Slack's 100 blocks."""
    blocks: list[Block] = []
    for i, part in enumerate(sections):
        if i:
            blocks.append(DividerBlock())
        blocks.extend(part)
    if len(blocks) > VIEW_BLOCKS_MAX:
        blocks = [*blocks[: VIEW_BLOCKS_MAX - 1], context(t("More in the next update of this page."))]
    return View(type="home", blocks=blocks)


def build_home(session: Session, person: Person, t: Translator, org: OrgConfig,
               sections: Sequence[HomeSection]) -> dict[str, Any]:
    found = [section.build(session, person, t, org) for section in sections]
    return home_view(t, [blocks for blocks in found if blocks]).to_dict()


def renderer(sections: Sequence[HomeSection]) -> Renderer:
    def render_home(ctx: RenderContext) -> Rendered:
        if ctx.recipient is None:
            raise Skip("no recipient")
        return Rendered(view=build_home(ctx.session, ctx.recipient, ctx.t, ctx.org, sections))

    return render_home


def home_opened(session: Session, services: Services, body: dict[str, Any]) -> None:
    event = body.get("event") or {}
    if event.get("tab", "home") != "home":
        return
    team_id = str(body.get("team_id") or "")
    user_id = str(event.get("user") or "")
    # Never a Slack call inside this transaction: a new person is recorded from the event and completed by
    # the directory sync.
    person = ensure_people(session, team_id, [user_id], KnownDirectory({user_id: SlackUser.partial(user_id)}))[user_id]
    if person is not None:
        request_home_refresh(session, person, cause=f"opened-{body.get('event_id')}")


def side(sections: Sequence[HomeSection]) -> SlackSide:
    """The App Home's own part: the publish renderer over the features' sections, and the opened event."""
    return SlackSide(renderers={HOME_KIND: renderer(sections)}, events={"app_home_opened": (home_opened,)})
