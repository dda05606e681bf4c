"""Goal payloads as the listeners read them: `/goal`, the modals' submissions (with their sealed state), and the
key results and numbers people type.

Nothing here trusts the client: a modal's sealed state is opened by the listener (`sealed_state`), ids are
only parsed here and looked up and checked by the domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from bot.blocks import form_field, form_state
from bot.payloads import SlashCommand
from bot.sealed import Sealer
from bot.services import team_of, user_of
from bot.text import USER_MENTION
from handlers.goals.ids import GoalIds
from models.goals import GoalError, KeyResultDraft
from models.goals import parse_key_result as read_key_result

SUGGEST = "suggest"  # the status option "Let Candor suggest"

# A number as people type it: 12, -3, 4.5, 4,5 (a decimal comma), 1,000 or 1,000.5 (thousands).
_THOUSANDS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_PLAIN = r"\d+(?:[.,]\d+)?"
NUMBER = rf"[-+]?(?:{_THOUSANDS}|{_PLAIN})"
_NUMBER = re.compile(rf"(?P<sign>[-+]?)(?:(?P<thousands>{_THOUSANDS})|(?P<plain>{_PLAIN}))", re.ASCII)

def to_int(value: Any) -> int | None:
    """A record id from the client (a button's value, an option): digits only, else None."""
    raw = str(value if value is not None else "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def parse_number(text: str | None, unit: str = "") -> float | None:
    """A number typed into a modal ("12", "4.5", "4,5", "1,000", "40%", "15 accounts" with unit "accounts"),
    or None when it is not one."""
    raw = (text or "").strip()
    if unit and raw.lower().endswith(unit.strip().lower()) and unit.strip():
        raw = raw[: len(raw) - len(unit.strip())].strip()
    raw = raw.removesuffix("%").strip()
    found = _NUMBER.fullmatch(raw)
    if found is None:
        return None
    if found.group("thousands"):
        digits = found.group("thousands").replace(",", "")
    else:
        digits = found.group("plain").replace(",", ".")
    value = float(digits)
    return -value if found.group("sign") == "-" else value


class KeyResultFormatError(ValueError):
    """A key-result line that reads like a number range but is not one."""


def parse_key_result(line: str | None) -> KeyResultDraft | None:
    """One key-result line of the create modal, read as the CSV import reads it (`models.goals.text`): `Title:
    start -> target unit` (also `→`, `=>` and ` to `) is a metric; anything else is the title of a 0–100 %
    milestone. None for an empty line; `KeyResultFormatError` for a line that looks like a range but does not
    parse. Lengths and values are the domain's to check."""
    text = " ".join((line or "").split())
    if not text:
        return None
    try:
        return read_key_result(text)
    except GoalError as err:
        raise KeyResultFormatError(text) from err


def _selected(state: dict[str, Any], block: str, action: str) -> str | None:
    option = form_field(state, block, action).get("selected_option") or {}
    value = option.get("value")
    return str(value) if value is not None else None


def _text(state: dict[str, Any], block: str, action: str) -> str:
    return str(form_field(state, block, action).get("value") or "")


def sealed_state(body: dict[str, Any], sealer: Sealer) -> dict[str, Any] | None:
    """The modal's sealed state (`bot.sealed`); None when it is not what we sealed for this user and modal."""
    view = body.get("view") or {}
    return sealer.open(str(view.get("callback_id") or ""), user_of(body), view.get("private_metadata"))


# -- /goal -------------------------------------------------------------------------------------------------


class GoalCommand(SlashCommand):

    def parts(self) -> tuple[str, str]:
        """(the first word as typed, the rest)."""
        return self.words()

    def mentioned(self) -> str | None:
        """The Slack id of a person named first (`/goal @ana`, sent as `<@U123|ana>`), if any."""
        m = USER_MENTION.match(self.text.strip())
        return m.group(1) if m else None


# -- the create modal --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyResultRow:
    """A filled key-result input: its row in the modal (0…) and what was typed."""

    row: int
    text: str


class CreateSubmission(BaseModel):
    team_id: str
    user_id: str
    view_id: str
    title: str = ""
    description: str = ""
    level: str = "person"
    owner_id: str | None = None  # Slack id; None: the author
    department: str = ""
    period: str | None = None
    parent_id: int | None = None
    visibility: str | None = None
    key_results: list[KeyResultRow] = Field(default_factory=list)
    periods: list[str] = Field(default_factory=list)  # sealed: the periods the modal offered

    @classmethod
    def from_body(cls, body: dict[str, Any], meta: dict[str, Any]) -> CreateSubmission:
        state = form_state(body)
        rows = []
        for block_id in state:
            if block_id.startswith(GoalIds.KR_BLOCK.value) and not block_id.startswith(GoalIds.KR_VALUE_BLOCK.value):
                row = to_int(block_id.removeprefix(GoalIds.KR_BLOCK.value))
                text = _text(state, block_id, GoalIds.KR_ACTION)
                if row is not None and text.strip():
                    rows.append(KeyResultRow(row=row, text=text))
        owner = form_field(state, GoalIds.OWNER_BLOCK, GoalIds.OWNER_ACTION).get("selected_user")
        raw_parent = _selected(state, GoalIds.PARENT_BLOCK, GoalIds.PARENT_ACTION)
        return cls(
            team_id=team_of(body), user_id=user_of(body), view_id=str(body["view"]["id"]),
            title=_text(state, GoalIds.TITLE_BLOCK, GoalIds.TITLE_ACTION),
            description=_text(state, GoalIds.DESCRIPTION_BLOCK, GoalIds.DESCRIPTION_ACTION),
            level=_selected(state, GoalIds.LEVEL_BLOCK, GoalIds.LEVEL_ACTION) or "person",
            owner_id=str(owner) if owner else None,
            department=_text(state, GoalIds.DEPARTMENT_BLOCK, GoalIds.DEPARTMENT_ACTION),
            period=_selected(state, GoalIds.PERIOD_BLOCK, GoalIds.PERIOD_ACTION),
            parent_id=to_int(raw_parent) if raw_parent else None,
            visibility=_selected(state, GoalIds.VISIBILITY_BLOCK, GoalIds.VISIBILITY_ACTION),
            key_results=sorted(rows, key=lambda r: r.row),
            periods=[str(p) for p in meta.get("periods") or []],
        )


# -- the pick and update modals ----------------------------------------------------------------------------


class PickSubmission(BaseModel):
    team_id: str
    user_id: str
    view_id: str
    goal_id: int | None

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> PickSubmission:
        state = form_state(body)
        return cls(team_id=team_of(body), user_id=user_of(body), view_id=str(body["view"]["id"]),
                   goal_id=to_int(_selected(state, GoalIds.PICK_BLOCK, GoalIds.PICK_ACTION)))


class UpdateSubmission(BaseModel):
    team_id: str
    user_id: str
    view_id: str
    goal_id: int  # sealed
    values: dict[int, str] = Field(default_factory=dict)  # key result id → what was typed
    progress: str | None = None  # what was typed, for a goal without key results
    status: str | None = None  # None: let Candor suggest
    comment: str = ""

    @classmethod
    def from_body(cls, body: dict[str, Any], meta: dict[str, Any]) -> UpdateSubmission:
        state = form_state(body)
        values: dict[int, str] = {}
        for kr_id in meta.get("krs") or []:  # sealed: the key results the modal showed
            kr = to_int(kr_id)
            if kr is not None:
                values[kr] = _text(state, f"{GoalIds.KR_VALUE_BLOCK}{kr}", GoalIds.KR_VALUE_ACTION)
        status = _selected(state, GoalIds.STATUS_BLOCK, GoalIds.STATUS_ACTION)
        progress = None
        if GoalIds.PROGRESS_BLOCK.value in state:
            progress = _text(state, GoalIds.PROGRESS_BLOCK, GoalIds.PROGRESS_ACTION)
        return cls(team_id=team_of(body), user_id=user_of(body), view_id=str(body["view"]["id"]),
                   goal_id=to_int(meta.get("goal")) or 0, values=values, progress=progress,
                   status=None if status in (None, SUGGEST) else status,
                   comment=_text(state, GoalIds.COMMENT_BLOCK, GoalIds.COMMENT_ACTION))
