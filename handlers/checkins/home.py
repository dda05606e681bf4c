"""The check-in part of the App Home: this week's check-in, and the last few."""

from __future__ import annotations

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.i18n import Translator
from handlers.checkins import views
from models import checkins
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.prompts import pattern_for, promptable
from models.core.tables import Person


def checkins_home(session: Session, person: Person, t: Translator, org: OrgConfig) -> list[Block]:
    if not org.checkins.enabled or not promptable(person, org):
        return []
    pattern = pattern_for(person, org)
    period = checkins.current_period(org.checkins, pattern, clock_of(session).now())
    current = checkins.for_period(session, person, period) if period else None
    return views.home_section_blocks(t, period, current, checkins.recent(session, person))
