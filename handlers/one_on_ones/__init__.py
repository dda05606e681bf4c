"""1:1s in Slack: `/1on1`, the agenda's buttons and modals (`listeners`, `payloads`, `modals`); the agenda,
nudge, notes and schedule DMs (`renderers`, `views`); the App Home section (`home`); ids."""

from __future__ import annotations

from bot.registry import HomeSection, SlackSide
from handlers.one_on_ones.home import one_on_ones_home
from handlers.one_on_ones.listeners import register
from handlers.one_on_ones.renderers import RENDERERS

SLACK = SlackSide(register=register, renderers=RENDERERS, home=(HomeSection(30, one_on_ones_home),))
