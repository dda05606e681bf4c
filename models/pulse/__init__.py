"""Pulse surveys: short, anonymous in fact and not only in name, with trends people can trust.

`waves` says when a survey runs, whom it asks and how an answer is stored; `cells` where an answer counts;
`disclosure` which groups' results may be shown; `results` puts them together for a closed wave, with the
figures and bands of `models.core.stats`; `prompts` and `jobs` schedule the DMs and the results.
"""

from __future__ import annotations

from models.core.features import Feature
from models.pulse import digest as _digest
from models.pulse import jobs as _jobs
from models.pulse import personal_data as _personal_data
from models.pulse import prompts as _prompts
from models.pulse.tables import PulseAnswer, PulseMember, PulseParticipation, PulseResponse, PulseWave
from models.pulse.waves import PulseError

FEATURE = Feature(
    name="pulse",
    description="Anonymous pulse surveys with results per group above a minimum, and bands from baselines",
    slack="handlers.pulse",
    prompts=_prompts.PROMPTS,
    jobs=_jobs.JOBS,
    personal_data=_personal_data.PERSONAL_DATA,
    digest_sections=_digest.SECTIONS,
    # Answering a pulse is anonymous: who answered is never activity (it would say who answered which wave).
    activity=(),
)

__all__ = ["FEATURE", "PulseAnswer", "PulseError", "PulseMember", "PulseParticipation", "PulseResponse",
           "PulseWave"]
