"""The close-out modal and the nudge buttons (being built)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.services import Services

if TYPE_CHECKING:
    from slack_bolt import App


def register(app: App, services: Services) -> None:
    """Register the close-out listeners."""
