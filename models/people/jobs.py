"""The directory jobs: mirror every member nightly (and at startup); complete people recorded from a payload."""

from __future__ import annotations

import logging

from sqlalchemy import select

from models.core.features import Daily, Every, Job, JobContext
from models.core.ports import DirectoryUnavailable, ListedDirectory, SlackUser
from models.core.tables import Person
from models.people.directory import sync_directory, upsert_person

log = logging.getLogger(__name__)


def people_sync(ctx: JobContext) -> str:
    """Walk Slack's directory (paced pages, outside any transaction), then mirror it in one unit of work."""
    team_id = ctx.team_id()
    fetched = ListedDirectory(list(ctx.directory.users()))
    with ctx.unit_of_work() as session:
        seen, created = sync_directory(session, team_id, fetched)
    return f"{seen} members seen, {created} new"


def people_complete(ctx: JobContext) -> str:
    """People first recorded from what a request carried (Slack was busy or slow then), asked about again."""
    team_id = ctx.team_id()
    with ctx.unit_of_work() as session:
        todo = list(session.scalars(select(Person.slack_user_id).where(
            Person.team_id == team_id, Person.synced_at.is_(None), Person.erased_at.is_(None)).limit(50)))
    found: list[SlackUser] = []
    for uid in todo:  # outside any transaction; Slack being unavailable ends this round
        try:
            user = ctx.directory.user(uid)
        except DirectoryUnavailable as exc:
            log.info("people_complete: stopping for now (%s)", exc)
            break
        if user is not None:
            found.append(user)
    with ctx.unit_of_work() as session:
        for user in found:
            upsert_person(session, team_id, user)
    return f"{len(found)} of {len(todo)} people completed"


JOBS = (
    Job("people_sync", "Mirror every workspace member from Slack (users.list) into people", Daily(2, 30),
        people_sync),
    Job("people_complete", "Complete people first recorded from a request's payload (Slack was busy or slow then)",
        Every(minutes=2), people_complete),
)
