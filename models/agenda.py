"""The 1:1 agenda: every feature's sections, run for one pair's meeting as one viewer may see it.

Sections come from the features (`models.features.agenda_sections()`): the 1:1's own talking points and
action items, the report's check-ins, the kudos they received, and whatever a later feature adds. Each is
run for the window since the pair's last 1:1 (`models.one_on_ones.since_for`), and left out for a viewer
the access policy does not let see the kind of record it reveals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from models.core.agenda import AgendaSection, SectionSpec
from models.core.config import OrgConfig
from models.core.tables import Person
from models.features import agenda_sections
from models.one_on_ones import may_see, since_for
from models.one_on_ones.tables import OneOnOnePair


@dataclass(frozen=True)
class Agenda:
    pair: OneOnOnePair
    since: datetime
    until: datetime
    sections: list[AgendaSection]


def _run(spec: SectionSpec, session: Session, pair: OneOnOnePair, since: datetime, until: datetime) -> AgendaSection:
    section = spec.fn(session, pair, since, until)
    if not section.key:
        section = AgendaSection(title=section.title, lines=section.lines, total=section.total, key=spec.key,
                                item_ids=section.item_ids, empty=section.empty)
    return section


def _visible(session: Session, spec: SectionSpec, viewer: Person, pair: OneOnOnePair, org: OrgConfig) -> bool:
    return spec.record is None or may_see(session, viewer, spec.record, pair, org)


def build_agenda(session: Session, pair: OneOnOnePair, viewer: Person, org: OrgConfig, *, until: datetime,
                 sections: tuple[SectionSpec, ...] | None = None) -> Agenda:
    """The agenda of the pair's meeting at `until`, as `viewer` may see it, fresh from the store."""
    since = since_for(session, pair, until)
    specs = sorted(agenda_sections() if sections is None else sections, key=lambda s: (s.order, s.key))
    found = [_run(spec, session, pair, since, until) for spec in specs if _visible(session, spec, viewer, pair, org)]
    return Agenda(pair=pair, since=since, until=until, sections=found)


def agenda_section_for(session: Session, pair: OneOnOnePair, viewer: Person, org: OrgConfig, key: str, *,
                       until: datetime) -> AgendaSection | None:
    """One section in full (the "Show all" modal), or None when unknown or not visible to the viewer."""
    spec = next((s for s in agenda_sections() if s.key == key), None)
    if spec is None or not _visible(session, spec, viewer, pair, org):
        return None
    return _run(spec, session, pair, since_for(session, pair, until), until)
