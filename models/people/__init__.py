"""People: the directory mirrored from Slack, and the org chart."""

from models.people.directory import (
    ensure_people,
    ensure_workspace,
    labels,
    person_by_slack_id,
    sync_directory,
    upsert_person,
    was_erased,
)

__all__ = [
    "ensure_people",
    "ensure_workspace",
    "labels",
    "person_by_slack_id",
    "sync_directory",
    "upsert_person",
    "was_erased",
]
