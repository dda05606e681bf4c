"""Slack listeners, one module per feature, each with `register(app, services)`.

Listeners are thin: parse the payload into a pydantic model, call a domain function inside one unit of
work, render a view, and `ack()` last (Bolt can lose an ack when a listener raises after it; see
shared/PITFALLS.md). Follow-up messages go through the outbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.app import Services


def register_all(app: App, services: Services) -> None:
    from handlers import admin, checkins, events, home, kudos, one_on_ones, pause, people

    events.register(app, services)
    people.register(app, services)
    kudos.register(app, services)
    checkins.register(app, services)
    one_on_ones.register(app, services)
    pause.register(app, services)
    admin.register(app, services)
    home.register(app, services)


def load_all() -> None:
    """Import every feature module so its registries (outbox renderers, event handlers, Home sections)
    are filled, also in a process that runs no Bolt app (a sender, the CLI)."""
    from handlers import admin, checkins, events, home, kudos, one_on_ones, pause, people  # noqa: F401


load_renderers = load_all
