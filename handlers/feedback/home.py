"""The feedback part of the App Home: 360 rounds waiting for the person's answer, about them, or started by them
(no counts while they run); feedback received (as the access policy allows: managers-only feedback about the
person never shows to them), requests waiting for their answer, and feedback they gave."""

from __future__ import annotations

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.i18n import Translator
from handlers.feedback import round_views, views
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.tables import Person
from models.feedback import given, received, waiting_for
from models.feedback import rounds as fr

HOME_ROUNDS = 3


def feedback_home(session: Session, person: Person, t: Translator, org: OrgConfig) -> list[Block]:
    if not org.feedback.enabled or not person.active:
        return []
    cfg = org.feedback
    now = clock_of(session).now()
    waiting = [(row, cfg.competency(row.request.competency))
               for row in waiting_for(session, person, limit=views.HOME_WAITING)]
    blocks = views.home_blocks(t, cfg, received=received(session, org, person, person, limit=views.HOME_RECEIVED),
                               waiting=waiting, given=given(session, person, limit=views.HOME_GIVEN))
    about = fr.rounds_about(session, person, limit=1)
    started = fr.rounds_started(session, person, now, limit=HOME_ROUNDS)
    rounds = round_views.home_blocks(
        t, waiting=fr.waiting_rounds(session, person, now, limit=HOME_ROUNDS), about=about, started=started,
        now_open={r.id for r in (*about, *started) if fr.is_open(r, now)})
    return [blocks[0], *rounds, *blocks[1:]]
