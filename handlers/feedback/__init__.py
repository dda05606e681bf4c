"""Feedback in Slack (being built)."""

from __future__ import annotations

from bot.registry import SlackSide

SLACK = SlackSide()
