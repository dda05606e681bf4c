"""The feedback part of the App Home: feedback received (as the access policy allows: managers-only feedback
about the person never shows to them), requests waiting for their answer, and feedback they gave."""

from __future__ import annotations

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.i18n import Translator
from handlers.feedback import views
from models.core.config import OrgConfig
from models.core.tables import Person
from models.feedback import given, received, waiting_for


def feedback_home(session: Session, person: Person, t: Translator, org: OrgConfig) -> list[Block]:
    if not org.feedback.enabled or not person.active:
        return []
    cfg = org.feedback
    waiting = [(row, cfg.competency(row.request.competency))
               for row in waiting_for(session, person, limit=views.HOME_WAITING)]
    return views.home_blocks(t, cfg, received=received(session, org, person, person, limit=views.HOME_RECEIVED),
                             waiting=waiting, given=given(session, person, limit=views.HOME_GIVEN))
