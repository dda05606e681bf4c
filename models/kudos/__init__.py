"""Kudos: recognition with company values, announced in a channel and DMed to each recipient.

`rules`: what a valid kudos is and saving it with its messages; `agenda`: the kudos part of the 1:1 agenda;
`digest`: the recognition section of the HR digest; `personal_data`: export and erasure rules; `tables`."""

from __future__ import annotations

from models.core.features import Feature
from models.kudos import agenda as _agenda
from models.kudos import digest as _digest
from models.kudos import export as _export
from models.kudos import personal_data as _personal_data
from models.kudos.agenda import (
    kudos_section,
)
from models.kudos.rules import (
    GiveResult,
    KudosDraft,
    KudosRejected,
    KudosRules,
    KudosSummary,
    get_kudos,
    give_kudos,
    given_this_week,
    local_week_start,
    summary_for,
)
from models.kudos.tables import Kudos, KudosRecipient

FEATURE = Feature(
    name="kudos",
    description="Recognition with company values",
    slack="handlers.kudos",
    agenda_sections=_agenda.SECTIONS,
    personal_data=_personal_data.PERSONAL_DATA,
    digest_sections=_digest.DIGEST_SECTIONS,
    activity=_digest.ACTIVITY,
    exports=_export.EXPORTS,
)

__all__ = [
    "FEATURE",
    "GiveResult",
    "Kudos",
    "KudosDraft",
    "KudosRecipient",
    "KudosRejected",
    "KudosRules",
    "KudosSummary",
    "get_kudos",
    "give_kudos",
    "given_this_week",
    "kudos_section",
    "local_week_start",
    "summary_for",
]
