"""The 1:1 part of the App Home: each 1:1 with its next meeting, and open action items."""

from __future__ import annotations

from slack_sdk.models.blocks import Block
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import Translator
from handlers.one_on_ones import views
from handlers.one_on_ones.cards import cards_for
from models import one_on_ones as domain
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.tables import Person


def one_on_ones_home(session: Session, person: Person, t: Translator, org: OrgConfig) -> list[Block]:
    if not person.active:
        return []
    cards = cards_for(session, person, t, clock_of(session).now())
    items, total = domain.open_action_items(session, person, org, limit=views.HOME_ITEMS)
    owners = {p.id: p.label for p in session.scalars(select(Person).where(Person.id.in_({i.owner_id for i in items})))}
    rows = [views.HomeItem(item_id=i.id, line=views.item_line(t, i.text, owners.get(i.owner_id, "?"), i.due_date))
            for i in items]
    return views.home_blocks(t, cards, rows, total, tz=person.tz)
