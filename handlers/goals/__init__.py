"""Goals in Slack (filled in by the handlers work)."""

from __future__ import annotations

from bot.registry import SlackSide

SLACK = SlackSide()
