"""The goals section of the App Home (being built)."""

from __future__ import annotations

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.i18n import Translator
from models.core.config import OrgConfig
from models.core.tables import Person


def goals_home(session: Session, person: Person, t: Translator, org: OrgConfig) -> list[Block]:
    return []
