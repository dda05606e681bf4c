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
UPDATE = "chat.update"


@dataclass(frozen=True)
class Rendered:
    """What to send for one outbox row."""

    text: str = ""
    blocks: list[dict[str, Any]] | None = None
    view: dict[str, Any] | None = None  # set for views.publish (Home tab)
    # (filename, content, title): a file shared into the recipient's DM (or the row's channel), `text` as its
    # comment. Slack files carry no message metadata, so an upload is at-least-once in the crash window (see
    # README).
    file: tuple[str, str | bytes, str] | None = None
    alt_text: str | None = None  # an image file's description
    thread_ts: str | None = None  # post (or upload) as a reply in this thread of the row's channel
    update_ts: str | None = None  # instead of posting, update this message of the row's channel (chat.update)
    forget: bool = False  # once sent, delete the row instead of recording it (`outbox.forget`)

    @property
    def method(self) -> str:
        if self.file is not None:
            return UPLOAD
        if self.update_ts is not None:
            return UPDATE
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
    """Raised by a renderer: this message is no longer useful (recorded as `skipped`, or with `forget` deleted,
    when even the fact that it was skipped would say too much)."""

    def __init__(self, why: str = "", *, forget: bool = False) -> None:
        super().__init__(why)
        self.forget = forget


class Defer(Exception):
    """Raised by a renderer: not yet (a reply whose thread is not posted yet); try again in `seconds`."""

    def __init__(self, why: str, seconds: float = 1.0) -> None:
        super().__init__(why)
        self.seconds = seconds


# Renders one outbox row of a kind: each feature's `SlackSide.renderers`, gathered by `bot.registry`.
Renderer = Callable[[RenderContext], Rendered]
