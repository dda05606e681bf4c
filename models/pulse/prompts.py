"""Pulse prompts: the survey DM and its one reminder, each in the person's own time (`models.pulse.waves`).

Both are queued for everyone in the survey's audience; the renderers send them only to people the wave asked,
while it is open, and the reminder only to those who have not answered (they hold the key that reads
participation). The occurrence's period is `<survey>:<ISO week>`: one of each per person and wave, however
often the tick runs. Due times depend on the pattern only, so they are computed once per pattern per tick.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.core.prompts import Occurrence, Occurrences, PromptContext, PromptKind
from models.core.tables import Person
from models.core.timing import WorkPattern
from models.pulse.waves import in_audience, invite_due, reminder_due, week_key, weeks_around

INVITE_KIND, REMINDER_KIND = "pulse.invite", "pulse.reminder"
_MEMO = "pulse.due"


def _due(ctx: PromptContext, kind: str, pattern: WorkPattern, start: datetime, end: datetime
         ) -> dict[str, list[Occurrence]]:
    """Survey id → occurrences of `kind` due in (start, end] for this pattern."""
    memo: dict[tuple[Any, ...], dict[str, list[Occurrence]]] = ctx.cache.setdefault(_MEMO, {})
    key = (kind, pattern, start, end)
    found = memo.get(key)
    if found is None:
        found = {}
        for survey in ctx.org.pulse.surveys:
            out = found.setdefault(survey.id, [])
            for ws in weeks_around(survey, start, end):
                due = invite_due(survey, ws, pattern) if kind == INVITE_KIND else (
                    reminder_due(ctx.org, survey, ws, pattern) if survey.reminder else None)
                if due is not None and start < due <= end:
                    period = week_key(ws)
                    out.append(Occurrence(f"{survey.id}:{period}", due, {"survey": survey.id, "period": period}))
        memo[key] = found
    return found


def _prompts(kind: str) -> Occurrences:
    def occurrences(ctx: PromptContext, person: Person, pattern: WorkPattern, start: datetime, end: datetime
                    ) -> list[Occurrence]:
        if not ctx.org.pulse.enabled:
            return []
        due = _due(ctx, kind, pattern, start, end)
        return [o for survey in ctx.org.pulse.surveys if in_audience(person, ctx.org, survey)
                for o in due.get(survey.id, [])]
    return occurrences


PROMPTS = (
    PromptKind(INVITE_KIND, _prompts(INVITE_KIND),
               description="The pulse survey DM, at the survey's local time on the person's first working day of it"),
    PromptKind(REMINDER_KIND, _prompts(REMINDER_KIND),
               description="One reminder on the last working day a pulse survey is open, to people who have not "
               "answered"),
)
