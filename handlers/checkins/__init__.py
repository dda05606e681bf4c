"""Check-ins in Slack: the prompt's button, the modal, the manager's Reply / Add to our 1:1 / Give kudos /
Read it all (`listeners`); the prompt, reminder, summary, reply and nudge DMs (`renderers`); the App Home
section (`home`); ids and views."""

from __future__ import annotations

from bot.registry import HomeSection, SlackSide
from handlers.checkins.home import checkins_home
from handlers.checkins.listeners import register
from handlers.checkins.renderers import RENDERERS

SLACK = SlackSide(register=register, renderers=RENDERERS, home=(HomeSection(20, checkins_home),))
