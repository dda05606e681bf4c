"""Pulse surveys in Slack: the survey DM's Answer button and the form (`listeners`); the survey DM, its reminder
and the results DMs (`renderers`); the App Home line (`home`); ids and views."""

from __future__ import annotations

from bot.registry import HomeSection, SlackSide
from handlers.pulse.home import pulse_home
from handlers.pulse.listeners import register
from handlers.pulse.renderers import RENDERERS

SLACK = SlackSide(register=register, renderers=RENDERERS, home=(HomeSection(15, pulse_home),))

__all__ = ["SLACK"]
