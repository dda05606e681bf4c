"""Kudos in Slack: `/kudos`, the "Give kudos" shortcuts and Home button, the modal (`listeners`); the public
post and the recipients' DMs (`renderers`); the App Home section (`home`); ids and views. Other features open
the kudos modal with `modal` (a check-in's "Give kudos" button)."""

from __future__ import annotations

from bot.registry import HomeSection, SlackSide
from handlers.kudos.home import kudos_home
from handlers.kudos.listeners import modal, register
from handlers.kudos.renderers import RENDERERS

SLACK = SlackSide(register=register, renderers=RENDERERS, home=(HomeSection(10, kudos_home),))

__all__ = ["SLACK", "modal"]
