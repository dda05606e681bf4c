"""The kudos part of the App Home: what a person received and gave, and their values as others saw them."""

from __future__ import annotations

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.i18n import Translator
from handlers.kudos.renderers import catalog
from handlers.kudos.views import kudos_section
from models.core.config import OrgConfig
from models.core.tables import Person
from models.kudos import summary_for


def kudos_home(session: Session, person: Person, t: Translator, org: OrgConfig) -> list[Block]:
    summary = summary_for(session, person.team_id, person.slack_user_id)
    return kudos_section(t, summary, catalog(org))
