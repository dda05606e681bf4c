"""Message ids: how the domain says something to a person without knowing their language.

The domain never translates. It names a message by its English text, marked with `_t(...)` so that
`pybabel extract` finds it, and hands over the parameters; the view translates it in the person's language
(`t(message.id, **message.params)`). A rule that refuses something raises a `DomainError` carrying such a
message and the form field it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _t(message: str) -> str:
    """Marks a message id for extraction; it is translated later, by a view (`t(MESSAGE)`)."""
    return message


@dataclass(frozen=True)
class Message:
    """A message id (its English text, with `{placeholders}`) and the values for them."""

    id: str
    params: dict[str, Any] = field(default_factory=dict)

    def english(self) -> str:
        return self.id.format(**self.params) if self.params else self.id


class DomainError(Exception):
    """A request the domain refuses; nothing was written. `message` says why (a message id with parameters,
    translated by the view); `field` names the input it belongs to, for an inline error in a form."""

    def __init__(self, message: str, *, field: str = "", **params: Any) -> None:
        self.message = Message(message, dict(params))
        self.field = field
        super().__init__(self.message.english())

    @property
    def template(self) -> str:
        return self.message.id

    @property
    def params(self) -> dict[str, Any]:
        return self.message.params


class Phrase(str):
    """Text made of plain parts (names, what people wrote) and message ids. As a `str` it is its English text;
    `in_language(t)` says it in a person's language. Lines of an agenda section are phrases: the domain
    composes them, a view translates them."""

    parts: tuple[str | Message, ...]

    def __new__(cls, *parts: str | Message) -> Phrase:
        text = "".join(p.english() if isinstance(p, Message) else p for p in parts)
        phrase = super().__new__(cls, text)
        phrase.parts = parts
        return phrase

    def in_language(self, t: Any) -> str:
        """This phrase in the language of `t` (a translator: `t(message_id, **params)`)."""
        return "".join(t(p.id, **p.params) if isinstance(p, Message) else p for p in self.parts)


def say(message_id: str, /, **params: Any) -> Message:
    """A message id with its parameters, for a `Phrase`."""
    return Message(message_id, params)
