"""How the pulse tables hold personal data.

- `pulse_members`: who was asked in each wave, and their cell. Exported (the surveys they were asked); kept at
  erasure (the person row itself is anonymised), so past response rates still add up.
- `pulse_participation`, `pulse_responses`, `pulse_answers`: no person in them. Participation is a keyed hash;
  answers name a cell of at least the minimum of people. Nothing can be exported for a person, or erased, because
  nothing says which answers are theirs — that is the point. Identifiers in free-text answers are redacted at
  erasure like everywhere else.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core.personal_data import PersonalData, iso
from models.core.tables import Person
from models.pulse.tables import PulseMember, PulseWave


def _export_asked(session: Session, person: Person) -> list[dict[str, Any]]:
    rows = session.execute(select(PulseWave.survey_id, PulseWave.period, PulseWave.closes_at)
                           .join(PulseMember, PulseMember.wave_id == PulseWave.id)
                           .where(PulseMember.person_id == person.id).order_by(PulseWave.opens_on))
    return [{"survey": s, "period": p, "closed_at": iso(c),
             "answers": "anonymous: not linked to anyone, so not in any export"} for s, p, c in rows]


PERSONAL_DATA = (
    PersonalData(table="pulse_members", person_columns=("person_id",), on_erase="keep", exporter=_export_asked,
                 description="Who was asked in each pulse survey, and the cell their answer counted in. Kept at "
                 "erasure (the person is anonymised) so response rates add up."),
    PersonalData(table="pulse_waves", on_erase="keep", export=False,
                 description="A survey's periods and their questions: nobody's data."),
    PersonalData(table="pulse_participation", on_erase="keep", export=False,
                 description="Keyed hashes of (wave, person): unreadable without the server key, so not exportable "
                 "per person."),
    PersonalData(table="pulse_responses", on_erase="keep", export=False,
                 description="Anonymous responses: a wave and a cell of at least the minimum of people."),
    PersonalData(table="pulse_answers", text_columns=("text",), export=False,
                 description="Anonymous answers: linked to no one, so neither exported nor erased per person; names "
                 "in free text are redacted at erasure."),
)
