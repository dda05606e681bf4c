"""Small helpers shared by every feature's views."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

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


def to_dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]
