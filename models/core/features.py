"""What a feature declares, so that the rest of Candor picks it up without a line changed elsewhere.

A feature (kudos, check-ins, 1:1s, goals, …) is one folder per layer: `models/<feature>/` and
`handlers/<feature>/`. Its `Feature` (in `models/<feature>/__init__.py`) lists what it adds to the shared
parts: scheduled prompts, jobs, 1:1 agenda sections, personal-data rules for export and erasure, and the
alert kinds it records (for `candor alerts list` and the HR digest), and what it does when the org chart
changes. `models/features.py` is the one list of
features; the scheduler, the app and the CLI iterate it. `slack` names the package in `handlers/` with the
feature's Slack side, which the app and the runtime import from this list.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from models.core.agenda import SectionSpec
from models.core.clock import Clock
from models.core.config import OrgConfig
from models.core.digest import Activity, DigestSpec
from models.core.exports import ExportSpec
from models.core.personal_data import PersonalData
from models.core.ports import Directory
from models.core.prompts import PromptKind
from models.core.tables import Alert, Person


@dataclass(frozen=True)
class Every:
    """A job that runs every so often."""

    seconds: int = 0
    minutes: int = 0
    hours: int = 0

    def __str__(self) -> str:
        if self.hours:
            return f"every {self.hours} h"
        return f"every {self.minutes} min" if self.minutes else f"every {self.seconds} s"


@dataclass(frozen=True)
class Daily:
    """A job that runs once a day at this UTC time."""

    hour: int
    minute: int = 0

    def __str__(self) -> str:
        return f"daily at {self.hour:02d}:{self.minute:02d} UTC"


class JobContext(Protocol):
    """What a job body gets from the process running it (the runtime)."""

    org: OrgConfig
    clock: Clock

    def unit_of_work(self) -> AbstractContextManager[Session]: ...

    def team_id(self) -> str: ...

    @property
    def directory(self) -> Directory: ...


@dataclass(frozen=True)
class Job:
    """A named job with its schedule beside its body. `leader_only`: runs in the one process that leads."""

    name: str
    description: str
    schedule: Every | Daily
    run: Callable[[JobContext], str]
    leader_only: bool = True
    # What `candor jobs run NAME` does, when a run by hand differs from the scheduled one (the digest: post now)
    run_now: Callable[[JobContext], str] | None = None


def _about_person(session: Session, alert: Alert) -> str:
    person = session.get(Person, alert.person_id) if alert.person_id is not None else None
    return person.label if person is not None else "-"


@dataclass(frozen=True)
class AlertKind:
    """A kind of HR alert a feature raises (`Alert.kind`): what it means, and whom a given alert is about
    (`about`, for listings; by default the person it names)."""

    kind: str
    description: str
    about: Callable[[Session, Alert], str] = _about_person


@dataclass(frozen=True)
class ChartHook:
    """What a feature does at once when the org chart changed (a manager set in Slack, a CSV import), in the
    same unit of work as the change: `run` only flushes and returns a one-line summary, shown after `label`."""

    label: str
    run: Callable[[Session, str, OrgConfig], object]


@dataclass(frozen=True)
class Feature:
    name: str
    description: str
    slack: str | None = None  # the feature's package in handlers/ (its listeners, renderers, Home section)
    prompts: tuple[PromptKind, ...] = ()
    jobs: tuple[Job, ...] = ()
    agenda_sections: tuple[SectionSpec, ...] = ()
    personal_data: tuple[PersonalData, ...] = ()
    alerts: tuple[AlertKind, ...] = ()
    on_chart_change: tuple[ChartHook, ...] = ()
    digest_sections: tuple[DigestSpec, ...] = ()  # the HR weekly digest (models/core/digest.py)
    activity: tuple[Activity, ...] = ()  # who used the feature in a week, for the digest's adoption figures
    exports: tuple[ExportSpec, ...] = ()  # its columns of the performance-data export (models/core/exports.py)
