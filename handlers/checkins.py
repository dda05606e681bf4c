"""(being written)"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.app import Services


def register(app: App, services: Services) -> None:
    pass
