"""The pulse part of the App Home: surveys open that asked the person, with an Answer button (answering twice
is refused there, kindly: the Home does not read participation)."""

from __future__ import annotations

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.i18n import Translator
from handlers.pulse import views
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.tables import Person
from models.pulse.waves import open_wave_for


def pulse_home(session: Session, person: Person, t: Translator, org: OrgConfig) -> list[Block]:
    if not org.pulse.enabled or not person.active:
        return []
    now = clock_of(session).now()
    found = []
    for wave in open_wave_for(session, person.team_id, person, now):
        survey = org.pulse.survey(wave.survey_id)
        found.append((wave, survey.name if survey is not None else wave.survey_id))
    return views.home_blocks(t, found, now)
