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
from handlers.feedback.ids import round_block


def to_int(value: Any) -> int | None:
    """A record id from the client (a button's value): digits only, else None."""
    raw = str(value if value is not None else "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


class FeedbackCommand(SlashCommand):
    """/feedback, as Slack sends it."""


@dataclass(frozen=True)
class ParsedCommand:
    """What `/feedback` was asked: `help` (also no words), `give` (to `subject`), `request` (of `peers`, on
    `topic`), `round` (a 360 about `subject`), or `unknown` (`word` is what was not understood, as typed)."""

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
    if words[0].lower() in ("360", "round"):
        person = USER_MENTION.fullmatch(words[1]) if len(words) == 2 else None
        if person is None:
            return ParsedCommand("unknown", word=" ".join(words[:3]))
        return ParsedCommand("round", subject=person.group(1))
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
    anonymous: bool = False
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
            anonymous=any(isinstance(o, dict) and o.get("value") == "anonymous" for o in form_field(
                state, Ids.ANONYMOUS_BLOCK, Ids.ANONYMOUS_ACTION).get("selected_options") or []),
            origin=sealer.open(Ids.MODAL, user_of(body), view.get("private_metadata")),
        )


class RoundStartSubmission(BaseModel):
    """The 360 start form: reviewers, deadline, competencies, anonymous or named. The person it is about is in
    the sealed state (`origin`), never in the form."""

    team_id: str
    user_id: str
    view_id: str
    reviewers: list[str] = []
    deadline: str | None = None
    competencies: list[str] = []
    anonymous: bool = True
    origin: dict[str, Any] | None = None

    @classmethod
    def from_body(cls, body: dict[str, Any], sealer: Sealer) -> RoundStartSubmission:
        view = body.get("view") or {}
        state = form_state(body)
        users = form_field(state, Ids.ROUND_REVIEWERS_BLOCK, Ids.ROUND_REVIEWERS_ACTION).get("selected_users") or []
        chosen = form_field(state, Ids.ROUND_COMPETENCIES_BLOCK,
                            Ids.ROUND_COMPETENCIES_ACTION).get("selected_options") or []
        mode = (form_field(state, Ids.ROUND_ANONYMOUS_BLOCK, Ids.ROUND_ANONYMOUS_ACTION).get("selected_option")
                or {}).get("value")
        return cls(
            team_id=team_of(body), user_id=user_of(body), view_id=str(view.get("id") or ""),
            reviewers=[str(u) for u in users if isinstance(u, str)][:100],
            deadline=form_field(state, Ids.ROUND_DEADLINE_BLOCK, Ids.ROUND_DEADLINE_ACTION).get("selected_date"),
            competencies=[str(o.get("value")) for o in chosen if isinstance(o, dict) and o.get("value")][:100],
            anonymous=mode != "named",
            origin=sealer.open(Ids.ROUND_START_MODAL, user_of(body), view.get("private_metadata")),
        )


class RoundAnswerSubmission(BaseModel):
    """A reviewer's 360 form: per competency a level and an example, and two comments. Which round it answers is
    in the sealed state; the competencies are read from the form's blocks as sent, and the domain refuses any
    that is not the round's (the server knows the round's list; the client is not asked for it)."""

    team_id: str
    user_id: str
    view_id: str
    levels: dict[str, int | None] = {}
    unreadable: list[str] = []  # competencies whose level value is not one the form offered
    examples: dict[str, str] = {}
    strengths: str = ""
    improve: str = ""
    origin: dict[str, Any] | None = None

    @classmethod
    def from_body(cls, body: dict[str, Any], sealer: Sealer) -> RoundAnswerSubmission:
        view = body.get("view") or {}
        state = form_state(body)
        origin = sealer.open(Ids.ROUND_ANSWER_MODAL, user_of(body), view.get("private_metadata"))
        prefixes = (f"{Ids.ROUND_LEVEL_BLOCK.value}:", f"{Ids.ROUND_EXAMPLE_BLOCK.value}:")
        competencies = list(dict.fromkeys(b.split(":", 1)[1][:50] for b in state if b.startswith(prefixes)))[:50]
        levels: dict[str, int | None] = {}
        unreadable: list[str] = []
        examples: dict[str, str] = {}
        for cid in competencies:
            option = form_field(state, round_block(Ids.ROUND_LEVEL_BLOCK, cid),
                                Ids.ROUND_LEVEL_ACTION).get("selected_option") or {}
            raw = option.get("value")
            level = to_int(raw)
            if raw and (level is None or not 0 < level < 10):
                unreadable.append(cid)
            levels[cid] = level if raw and level is not None and 0 < level < 10 else None
            examples[cid] = str(form_field(state, round_block(Ids.ROUND_EXAMPLE_BLOCK, cid),
                                           Ids.ROUND_EXAMPLE_ACTION).get("value") or "")
        return cls(
            team_id=team_of(body), user_id=user_of(body), view_id=str(view.get("id") or ""), levels=levels,
            unreadable=unreadable, examples=examples,
            strengths=str(form_field(state, Ids.ROUND_STRENGTHS_BLOCK, Ids.ROUND_STRENGTHS_ACTION).get("value") or ""),
            improve=str(form_field(state, Ids.ROUND_IMPROVE_BLOCK, Ids.ROUND_IMPROVE_ACTION).get("value") or ""),
            origin=origin,
        )
