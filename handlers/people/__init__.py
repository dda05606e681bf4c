"""People in Slack: the directory kept in step with Slack's events (`events`), pausing prompts from the App
Home (`pause`), and the HR admin tools (`admin`: set a manager, export, erase; `export`: the performance-data
export)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.registry import HomeSection, SlackSide
from handlers.people import admin, export, pause
from handlers.people.events import EVENTS

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.services import Services


def register(app: App, services: Services) -> None:
    pause.register(app, services)
    admin.register(app, services)
    export.register(app, services)


SLACK = SlackSide(
    register=register,
    renderers={"privacy.export": admin.render_export, export.KIND: export.render_performance_export},
    home=(HomeSection(90, pause.pause_home), HomeSection(100, admin.admin_home)),
    events=EVENTS,
)
