"""The small port through which domain code learns about Slack, without importing Slack.

`SlackUser` is the part of Slack's user object Candor keeps; `Directory` is what the domain may ask.
The Slack-backed implementation lives in `bot.slack`; tests use the fake Slack Web API server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict


class SlackUser(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    team_id: str | None = None
    name: str = ""
    real_name: str = ""
    display_name: str = ""
    email: str | None = None
    tz: str | None = None
    locale: str | None = None
    is_bot: bool = False
    deleted: bool = False
    # False: only what a request's payload carried (an id, maybe a name), because Slack could not be asked
    # in time. Such a person is recorded as far as known and completed later by the directory sync.
    complete: bool = True

    @classmethod
    def partial(cls, user_id: str, name: str = "") -> SlackUser:
        return cls(id=user_id, name=name, complete=False)

    @classmethod
    def from_slack(cls, user: dict[str, Any]) -> SlackUser:
        profile = user.get("profile") or {}
        is_bot = bool(user.get("is_bot")) or user.get("id") == "USLACKBOT" or bool(user.get("is_workflow_bot"))
        return cls(
            id=user["id"],
            team_id=user.get("team_id"),
            name=user.get("name") or "",
            real_name=user.get("real_name") or profile.get("real_name") or "",
            display_name=profile.get("display_name") or "",
            email=profile.get("email") or None,
            tz=user.get("tz") or None,
            locale=user.get("locale") or None,
            is_bot=is_bot,
            deleted=bool(user.get("deleted")),
        )


class DirectoryUnavailable(Exception):
    """Slack could not be asked now (rate limited, down, too slow): try later, or go on without it."""


class Directory(Protocol):
    """Who is who in the workspace, as Slack knows it."""

    def user(self, user_id: str) -> SlackUser | None:
        """The user, or None when Slack does not know the id. Raises `DirectoryUnavailable` when Slack
        cannot be asked now."""

    def users(self) -> Iterator[SlackUser]:
        """Every member of the workspace (paginated underneath)."""


class KnownDirectory:
    """A `Directory` over users already known (fetched before a transaction, or taken from a payload): it
    never calls Slack. An id it was not given is unknown."""

    def __init__(self, members: dict[str, SlackUser | None]) -> None:
        self.members = members

    def user(self, user_id: str) -> SlackUser | None:
        return self.members.get(user_id)

    def users(self) -> Iterator[SlackUser]:
        return iter([m for m in self.members.values() if m is not None])


class ListedDirectory:
    """A `Directory` over members already fetched (the sync job walks Slack before its transaction)."""

    def __init__(self, members: list[SlackUser]) -> None:
        self.members = {m.id: m for m in members}

    def user(self, user_id: str) -> SlackUser | None:
        return self.members.get(user_id)

    def users(self) -> Iterator[SlackUser]:
        return iter(self.members.values())
