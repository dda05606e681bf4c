"""Feedback payloads as the listeners read them: `/feedback` and its words, the modal's submission.

Nothing here trusts the client: the modal's sealed state is opened with the sealer (None when it is not what we
sealed for this user), ids are only parsed here and looked up and checked by the domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from bot.blocks import form_field, form_state
from bot.payloads import SlashCommand
from bot.sealed import Sealer
from bot.services import team_of, user_of
from bot.text import USER_MENTION
from handlers.feedback.ids import FeedbackIds as Ids


def to_int(value: Any) -> int | None:
    """A record id from the client (a button's value): digits only, else None."""
    raw = str(value if value is not None else "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


class FeedbackCommand(SlashCommand):
    """/feedback, as Slack sends it."""


@dataclass(frozen=True)
class ParsedCommand:
    """What `/feedback` was asked: `help` (also no words), `give` (to `subject`), `request` (of `peers`, on
    `topic`), or `unknown` (`word` is what was not understood, as typed)."""

    kind: str
    subject: str | None = None
    peers: list[str] = field(default_factory=list)
    topic: str = ""
    word: str = ""


def parse_command(text: str) -> ParsedCommand:
    words = text.split()
    if not words or words[0].lower() == "help":
        return ParsedCommand("help")
    first = USER_MENTION.fullmatch(words[0])
    if first is not None:
        return ParsedCommand("give", subject=first.group(1))
    if words[0].lower() != "request":
        return ParsedCommand("unknown", word=words[0])
    peers: list[str] = []
    rest = words[1:]
    for i, word in enumerate(rest):
        if word.lower() == "about":
            return ParsedCommand("request", peers=peers, topic=" ".join(rest[i + 1:]))
        found = USER_MENTION.fullmatch(word)
        if found is None:
            return ParsedCommand("unknown", word=word)
        peers.append(found.group(1))
    return ParsedCommand("request", peers=peers)


_LEVEL = re.compile(r"([a-z0-9_-]{1,50}):([1-9])")


class FeedbackSubmission(BaseModel):
    team_id: str
    user_id: str
    view_id: str
    behaviour: str = ""
    impact: str = ""
    example: str = ""
    competency: str | None = None
    level_competency: str | None = None  # the competency whose scale the chosen level is on
    level: int | None = None
    level_unreadable: bool = False
    visibility: str | None = None
    # From the modal's sealed state: None when it was not sealed by us for this user.
    origin: dict[str, Any] | None = None

    @classmethod
    def from_body(cls, body: dict[str, Any], sealer: Sealer) -> FeedbackSubmission:
        view = body.get("view") or {}
        state = form_state(body)

        def text(block: str, action: str) -> str:
            return str(form_field(state, block, action).get("value") or "")

        def selected(block: str, action: str) -> str | None:
            option = form_field(state, block, action).get("selected_option") or {}
            value = option.get("value")
            return str(value) if value else None

        level_value = selected(Ids.LEVEL_BLOCK, Ids.LEVEL_ACTION)
        level = _LEVEL.fullmatch(level_value) if level_value else None
        return cls(
            team_id=team_of(body), user_id=user_of(body), view_id=str(view.get("id") or ""),
            behaviour=text(Ids.BEHAVIOUR_BLOCK, Ids.BEHAVIOUR_ACTION),
            impact=text(Ids.IMPACT_BLOCK, Ids.IMPACT_ACTION),
            example=text(Ids.EXAMPLE_BLOCK, Ids.EXAMPLE_ACTION),
            competency=selected(Ids.COMPETENCY_BLOCK, Ids.COMPETENCY_ACTION),
            level_competency=level.group(1) if level else None,
            level=int(level.group(2)) if level else None,
            level_unreadable=level_value is not None and level is None,
            visibility=selected(Ids.VISIBILITY_BLOCK, Ids.VISIBILITY_ACTION),
            origin=sealer.open(Ids.MODAL, user_of(body), view.get("private_metadata")),
        )
