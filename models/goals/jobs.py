"""Goal jobs (filled in by the nudges work)."""

from __future__ import annotations

from models.core.features import Job

JOBS: tuple[Job, ...] = ()
