"""1:1 payloads as the listeners read them: the command, the modals' submissions (with their sealed state)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, Field

from bot.blocks import form_field, form_state
from bot.payloads import SlashCommand
from bot.sealed import Sealer
from bot.services import team_of, user_of
from handlers.one_on_ones import views
from handlers.one_on_ones.ids import OneOnOneIds

MESSAGE_TS = re.compile(r"\d{1,12}\.\d{1,9}", re.ASCII)  # a Slack message ts, e.g. 1700000000.000100


class OneOnOneCommand(SlashCommand):

    def parts(self) -> tuple[str, str]:
        """(subcommand in lower case, the rest as typed)."""
        first, rest = self.words()
        return first.lower(), rest


def sealed_state(body: dict[str, Any], sealer: Sealer) -> dict[str, Any] | None:
    """The modal's sealed state (see `bot.sealed`); None when it is not what we sealed for this user."""
    view = body.get("view") or {}
    return sealer.open(str(view.get("callback_id") or ""), user_of(body), view.get("private_metadata"))


def to_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ActionRow(BaseModel):
    row: int
    text: str = ""
    owner_id: int | None = None
    due: date | None = None

    @property
    def empty(self) -> bool:
        return not self.text.strip() and self.owner_id is None and self.due is None


class NotesSubmission(BaseModel):
    team_id: str
    user_id: str
    view_id: str
    pair_id: int
    period: str
    meeting_at: datetime
    notes: str = ""
    rows: list[ActionRow] = Field(default_factory=list)

    @classmethod
    def from_body(cls, body: dict[str, Any], meta: dict[str, Any]) -> NotesSubmission:
        state = form_state(body)
        rows = []
        for row in range(1, views.NOTES_ROWS + 1):
            owner = form_field(state, f"{OneOnOneIds.ITEM_OWNER_BLOCK}{row}", OneOnOneIds.ITEM_OWNER_ACTION)
            due = form_field(state, f"{OneOnOneIds.ITEM_DUE_BLOCK}{row}", OneOnOneIds.ITEM_DUE_ACTION)
            rows.append(ActionRow(
                row=row,
                text=form_field(state, f"{OneOnOneIds.ITEM_TEXT_BLOCK}{row}", OneOnOneIds.ITEM_TEXT_ACTION).get("value")
                or "",
                owner_id=to_int((owner.get("selected_option") or {}).get("value")),
                due=due.get("selected_date") or None,
            ))
        return cls(
            team_id=team_of(body), user_id=user_of(body), view_id=str(body["view"]["id"]),
            pair_id=int(meta.get("pair") or 0), period=str(meta.get("period") or ""),
            meeting_at=datetime.fromtimestamp(int(meta.get("at") or 0), UTC),
            notes=form_field(state, OneOnOneIds.NOTES_BLOCK, OneOnOneIds.NOTES_ACTION).get("value") or "", rows=rows,
        )


class AddSubmission(BaseModel):
    team_id: str
    user_id: str
    view_id: str
    pair_id: int | None
    topic: str = ""

    @classmethod
    def from_body(cls, body: dict[str, Any], meta: dict[str, Any]) -> AddSubmission:
        state = form_state(body)
        chosen = form_field(state, OneOnOneIds.PAIR_BLOCK, OneOnOneIds.PAIR_ACTION).get("selected_option") or {}
        return cls(team_id=team_of(body), user_id=user_of(body), view_id=str(body["view"]["id"]),
                   pair_id=to_int(meta.get("pair")) or to_int(chosen.get("value")),
                   topic=form_field(state, OneOnOneIds.TOPIC_BLOCK, OneOnOneIds.TOPIC_ACTION).get("value") or "")


class ScheduleSubmission(BaseModel):
    team_id: str
    user_id: str
    view_id: str
    pair_id: int
    interval_weeks: int | None
    weekday: int | None
    local_time: str

    @classmethod
    def from_body(cls, body: dict[str, Any], meta: dict[str, Any]) -> ScheduleSubmission:
        state = form_state(body)
        cadence = form_field(state, OneOnOneIds.CADENCE_BLOCK, OneOnOneIds.CADENCE_ACTION).get("selected_option") or {}
        day = form_field(state, OneOnOneIds.WEEKDAY_BLOCK, OneOnOneIds.WEEKDAY_ACTION).get("selected_option") or {}
        return cls(team_id=team_of(body), user_id=user_of(body), view_id=str(body["view"]["id"]),
                   pair_id=int(meta.get("pair") or 0), interval_weeks=to_int(cadence.get("value")),
                   weekday=to_int(day.get("value")),
                   local_time=str(form_field(state, OneOnOneIds.TIME_BLOCK, OneOnOneIds.TIME_ACTION)
                                  .get("selected_time") or ""))
