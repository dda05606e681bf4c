"""What a feature's outbox renderer returns (`Rendered`) for one row (`RenderContext`), or `Skip`. Each
feature's renderers are in `handlers/<feature>/renderers.py`, gathered by `bot.registry`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.i18n import Translator, translator
from models.core.config import OrgConfig
from models.core.tables import OutboxMessage, Person

POST = "chat.postMessage"
UPLOAD = "files.upload_v2"
PUBLISH = "views.publish"


@dataclass(frozen=True)
class Rendered:
    """What to send for one outbox row."""

    text: str = ""
    blocks: list[dict[str, Any]] | None = None
    view: dict[str, Any] | None = None  # set for views.publish (Home tab)
    # (filename, content, title): a file shared into the recipient's DM, `text` as its comment. Slack
    # files carry no message metadata, so an upload is at-least-once in the crash window (see README).
    file: tuple[str, str, str] | None = None

    @property
    def method(self) -> str:
        if self.file is not None:
            return UPLOAD
        return PUBLISH if self.view is not None else POST


@dataclass
class RenderContext:
    session: Session
    org: OrgConfig
    row: OutboxMessage
    recipient: Person | None
    default_locale: str = "en"
    # A server-side key for a purpose (`bot.sealed.Sealer.derive`): for renderers that must read something
    # stored keyed, such as pulse participation. None where the process has no key (a renderer then skips).
    keys: Callable[[str], bytes] | None = None

    def key(self, purpose: str) -> bytes | None:
        return self.keys(purpose) if self.keys is not None else None

    @property
    def t(self) -> Translator:
        """The recipient's language, else the workspace default (channel posts have no recipient)."""
        return translator(self.recipient.locale if self.recipient else None, self.default_locale)


class Skip(Exception):
    """Raised by a renderer: this message is no longer useful (recorded as `skipped`)."""


# Renders one outbox row of a kind: each feature's `SlackSide.renderers`, gathered by `bot.registry`.
Renderer = Callable[[RenderContext], Rendered]
