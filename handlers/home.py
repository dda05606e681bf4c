"""The App Home tab: published on `app_home_opened` and refreshed (through the outbox) after changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.delivery import RenderContext, Rendered, Skip, renderer
from bot.i18n import Translator
from bot.views.home import home_view
from handlers.events import on_event
from models.core.config import OrgConfig
from models.core.outbox import request_home_refresh
from models.core.ports import KnownDirectory, SlackUser
from models.core.tables import Person
from models.people import ensure_people

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.app import Services

# Each feature contributes one section: (order, function). Lower order shows first.
HomeSection = Callable[[Session, Person, Translator, OrgConfig], list[Block]]
HOME_SECTIONS: list[tuple[int, HomeSection]] = []


def home_section(order: int) -> Callable[[HomeSection], HomeSection]:
    def wrap(fn: HomeSection) -> HomeSection:
        HOME_SECTIONS.append((order, fn))
        HOME_SECTIONS.sort(key=lambda item: item[0])
        return fn

    return wrap


def build_home(session: Session, person: Person, t: Translator, org: OrgConfig) -> dict[str, Any]:
    sections = [fn(session, person, t, org) for _, fn in HOME_SECTIONS]
    return home_view(t, [s for s in sections if s]).to_dict()


@renderer("home.publish")
def render_home(ctx: RenderContext) -> Rendered:
    if ctx.recipient is None:
        raise Skip("no recipient")
    return Rendered(view=build_home(ctx.session, ctx.recipient, ctx.t, ctx.org))


@on_event("app_home_opened")
def _home_opened(session: Session, services: Services, body: dict[str, Any]) -> None:
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


def register(app: App, services: Services) -> None:
    from handlers import kudos  # noqa: F401  (registers its Home section)
