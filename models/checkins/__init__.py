"""Weekly check-ins: when they are due, what a valid answer is, who hears about it.

A check-in belongs to a period: the local ISO week of the prompt (e.g. "2026-W47"). It opens when the
prompt is due and closes when the next one is due (`periods`). Until it closes the person may edit their
answer (the manager is told about the latest); after it closes a first answer is still accepted and filed
under its own period, marked late (`rules`). Missed check-ins make alerts (`alerts`); the prompt and
reminder (`prompts`), the daily alerts job (`jobs`), the agenda section (`agenda`), the HR digest's section
(`digest`) and the personal-data rules (`personal_data`) are what this feature adds to the rest."""

from __future__ import annotations

from models.checkins import agenda as _agenda
from models.checkins import digest as _digest
from models.checkins import export as _export
from models.checkins import jobs as _jobs
from models.checkins import personal_data as _personal_data
from models.checkins import prompts as _prompts
from models.checkins.agenda import (
    checkins_section,
)
from models.checkins.alerts import (
    manager_working_moment,
    missed_in_a_row,
    record_missed_alerts,
)
from models.checkins.jobs import (
    checkin_alerts_job,
)
from models.checkins.periods import (
    BIWEEKLY_ANCHOR,
    WEEKDAY_INDEX,
    closes_at,
    current_period,
    interval_weeks,
    prompt_due,
    prompts_between,
    reminder_due,
)
from models.checkins.prompts import (
    checkin_prompts,
    checkin_reminders,
)
from models.checkins.rules import (
    NOT_MANAGER,
    REPLY_MAX,
    CheckinError,
    CheckinInvalid,
    SubmitResult,
    for_period,
    may_reply,
    recent,
    reply,
    submit,
    validate_answers,
)
from models.core.features import AlertKind, Feature
from models.core.weeks import is_week_key, week_key, week_start_of

FEATURE = Feature(
    name="checkins",
    description="Weekly check-ins with a summary to the manager",
    slack="handlers.checkins",
    prompts=_prompts.PROMPTS,
    jobs=_jobs.JOBS,
    agenda_sections=_agenda.SECTIONS,
    personal_data=_personal_data.PERSONAL_DATA,
    digest_sections=_digest.DIGEST_SECTIONS,
    activity=_digest.ACTIVITY,
    exports=_export.EXPORTS,
    alerts=(AlertKind("checkin.missed", "N check-ins in a row that the person was asked and did not answer"),),
)

__all__ = [
    "BIWEEKLY_ANCHOR",
    "FEATURE",
    "NOT_MANAGER",
    "REPLY_MAX",
    "WEEKDAY_INDEX",
    "CheckinError",
    "CheckinInvalid",
    "SubmitResult",
    "checkin_alerts_job",
    "checkin_prompts",
    "checkin_reminders",
    "checkins_section",
    "closes_at",
    "current_period",
    "for_period",
    "interval_weeks",
    "is_week_key",
    "manager_working_moment",
    "may_reply",
    "missed_in_a_row",
    "prompt_due",
    "prompts_between",
    "recent",
    "record_missed_alerts",
    "reminder_due",
    "reply",
    "submit",
    "validate_answers",
    "week_key",
    "week_start_of",
]
