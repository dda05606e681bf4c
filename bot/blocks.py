"""Small helpers shared by every feature's views."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.i18n import Translator
from bot.text import escape, truncate

SECTION_TEXT_MAX = 3000
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def section(markdown: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=truncate(markdown, SECTION_TEXT_MAX)))


def context(markdown: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(markdown, SECTION_TEXT_MAX))])


def quote(user_text: str, limit: int = 2500) -> str:
    """User text as a mrkdwn quote: escaped, every line quoted, bounded in length."""
    safe = escape(truncate(user_text, limit))
    return "\n".join("> " + line for line in safe.splitlines() or [""])


def quoted_chunks(user_text: str, first_limit: int = SECTION_TEXT_MAX, limit: int = SECTION_TEXT_MAX) -> list[str]:
    """User text in full as mrkdwn quotes, escaped, in pieces that each fit a section block (the first piece
    `first_limit` characters, leaving room for a heading). Pieces break between lines where they can, and
    never inside an escaped entity."""
    lines = ["> " + line for line in escape(user_text).splitlines() or [""]]
    chunks: list[str] = []
    current = ""
    for line in lines:
        room = (first_limit if not chunks else limit) - len(current) - (1 if current else 0)
        if len(line) <= room:
            current = f"{current}\n{line}" if current else line
            continue
        if current:
            chunks.append(current)
            current = ""
        while len(line) > (first_limit if not chunks else limit):
            cap = first_limit if not chunks else limit
            cut = cap
            amp = line.rfind("&", 0, cut)
            if amp != -1 and line.find(";", amp, cut) == -1:  # an entity would be cut in half
                cut = amp
            chunks.append(line[:cut])
            line = "> " + line[cut:]
        current = line
    if current or not chunks:
        chunks.append(current)
    return chunks


def to_dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def form_expired(t: Translator) -> str:
    """A modal whose sealed state did not check out (changed on the way, or signed with an old key)."""
    return t("This form can't be checked any more, so nothing was saved. Copy your text, close the form "
             "and open it again.")


def form_state(body: dict[str, Any]) -> dict[str, Any]:
    """A view submission's input values, by block id then action id."""
    return dict((body.get("view") or {}).get("state", {}).get("values", {}))


def form_field(state: dict[str, Any], block: str, action: str) -> dict[str, Any]:
    return dict(state.get(block, {}).get(action) or {})
