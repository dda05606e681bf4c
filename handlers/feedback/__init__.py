"""Feedback in Slack: `/feedback` (give, request, help), the "Give feedback on this" message shortcut, the request
DM's buttons and the modal (`listeners`); the recipient's, manager's, peer's and requester's DMs (`renderers`);
the App Home section (`home`); ids, payloads and views."""

from __future__ import annotations

from bot.registry import HomeSection, SlackSide
from handlers.feedback.home import feedback_home
from handlers.feedback.listeners import register
from handlers.feedback.renderers import RENDERERS

SLACK = SlackSide(register=register, renderers=RENDERERS, home=(HomeSection(27, feedback_home),))

__all__ = ["SLACK"]
