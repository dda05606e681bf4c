"""Goals in Slack: `/goal` and its modals, the App Home buttons and the alignment view (`listeners`); the
nudge and close-out DMs and the close-out modal (`renderers`, `closeout`); the App Home section (`home`);
ids and views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.registry import HomeSection, SlackSide
from bot.services import Services
from handlers.goals import closeout, listeners
from handlers.goals.home import goals_home
from handlers.goals.integrations import CHECKIN_EXTENSION, KUDOS_EXTENSION
from handlers.goals.renderers import RENDERERS

if TYPE_CHECKING:
    from slack_bolt import App


def register(app: App, services: Services) -> None:
    listeners.register(app, services)
    closeout.register(app, services)


SLACK = SlackSide(register=register, renderers=RENDERERS, home=(HomeSection(25, goals_home),),
                  checkin_extension=CHECKIN_EXTENSION, kudos_extension=KUDOS_EXTENSION)
