"""The one list of features. The scheduler, the app, the runtime and the CLI iterate it; nothing is found by
importing modules for their side effects, so nothing depends on import order.

Add a feature: build `models/<feature>/` and `handlers/<feature>/` (docs/architecture.md), declare its
`Feature` in `models/<feature>/__init__.py`, and add it here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models import checkins, feedback, goals, kudos, one_on_ones, people, pulse
from models.core.agenda import SectionSpec
from models.core.config import OrgConfig
from models.core.digest import Activity, DigestSpec
from models.core.exports import ExportSpec
from models.core.features import AlertKind, ChartHook, Feature, Job
from models.core.personal_data import PersonalData
from models.core.prompts import PromptKind, TickReport, tick

FEATURES: tuple[Feature, ...] = (
    people.FEATURE,
    kudos.FEATURE,
    checkins.FEATURE,
    one_on_ones.FEATURE,
    goals.FEATURE,
    feedback.FEATURE,
    pulse.FEATURE,
)


def prompt_kinds() -> tuple[PromptKind, ...]:
    return tuple(kind for f in FEATURES for kind in f.prompts)


def tick_all(session: Session, org: OrgConfig, team_id: str, *, now: datetime | None = None) -> TickReport:
    """Queue every feature's prompts that fell due since the last tick for this workspace. Only flushes."""
    return tick(session, org, team_id, prompt_kinds(), now=now)


def jobs() -> tuple[Job, ...]:
    return tuple(job for f in FEATURES for job in f.jobs)


def agenda_sections() -> tuple[SectionSpec, ...]:
    """Every feature's 1:1 agenda sections, in agenda order."""
    return tuple(sorted((s for f in FEATURES for s in f.agenda_sections), key=lambda s: (s.order, s.key)))


def personal_data() -> tuple[PersonalData, ...]:
    return tuple(entry for f in FEATURES for entry in f.personal_data)


def alert_kinds() -> tuple[AlertKind, ...]:
    return tuple(kind for f in FEATURES for kind in f.alerts)


def digest_sections() -> tuple[DigestSpec, ...]:
    """Every feature's HR digest sections, in digest order."""
    return tuple(sorted((s for f in FEATURES for s in f.digest_sections), key=lambda s: (s.order, s.key)))


def export_specs() -> tuple[ExportSpec, ...]:
    """Every feature's columns of the performance-data export, in export order."""
    return tuple(sorted((s for f in FEATURES for s in f.exports), key=lambda s: (s.order, s.key)))


def activities() -> tuple[Activity, ...]:
    return tuple(a for f in FEATURES for a in f.activity)


def chart_hooks() -> tuple[ChartHook, ...]:
    return tuple(hook for f in FEATURES for hook in f.on_chart_change)


def chart_changed(session: Session, team_id: str, org: OrgConfig) -> list[str]:
    """Let every feature follow an org-chart change in this unit of work. Only flushes; returns one line per
    hook ("1:1 pairs: 1 pairs created, …")."""
    return [f"{hook.label}: {hook.run(session, team_id, org)}" for hook in chart_hooks()]
