"""Message ids: how the domain says something to a person without knowing their language.

The domain never translates. It names a message by its English text, marked with `_t(...)` so that
`pybabel extract` finds it, and hands over the parameters; the view translates it in the person's language
(`t(message.id, **message.params)`). A rule that refuses something raises a `DomainError` carrying such a
message and the form field it belongs to.
"""

from __future__ import annotations

from typing import Any


def _t(message: str) -> str:
    """Marks a message id for extraction; it is translated later, by a view (`t(MESSAGE)`)."""
    return message


class Mention(str):
    """A person in a message, by Slack user id: the view shows a mention (`<@U…>`), which Slack renders as the
    person's current name in every reader's client."""


class Message(str):
    """A message id (its English text, with `{placeholders}`) and the values for them. As a `str` it is the
    English text, filled in. A value may be a `Mention`, a list (shown comma-separated) or another `Message`
    (translated too); the view renders them (`bot.i18n.Translator.message`)."""

    id: str
    params: dict[str, Any]

    def __new__(cls, message_id: str, params: dict[str, Any] | None = None) -> Message:
        params = dict(params or {})
        text = message_id.format(**{k: _english(v) for k, v in params.items()}) if params else message_id
        obj = super().__new__(cls, text)
        obj.id, obj.params = message_id, params
        return obj

    def english(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"Message({self.id!r}, {self.params!r})"


def _english(value: Any) -> Any:
    if isinstance(value, Mention):
        return f"<@{value}>"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


class DomainError(Exception):
    """A request the domain refuses; nothing was written. The one way the domain says why to a person.

    `message` is a message id with parameters (a `Message`: as a `str`, the English text), translated by the
    view (`t.message(err.message)`); `field`
    names the input it belongs to, for an inline error in a form; `code` is a stable name for the rule, for
    code that must tell refusals apart. `str(err)` is the English text (the CLI, which speaks English, and
    tests). Each feature subclasses it (`KudosRejected`, `CheckinError`, `OneOnOneError`, `OrgError`, …).
    """

    def __init__(self, message: str, /, *, field: str = "", code: str = "", **params: Any) -> None:
        self.message = Message(message, dict(params))
        self.field = field
        self.code = code
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
        """This phrase in the language of `t` (a translator with `t.message(Message)`)."""
        return "".join(t.message(p) if isinstance(p, Message) else p for p in self.parts)


def say(message_id: str, /, **params: Any) -> Message:
    """A message id with its parameters (for a `Phrase`, or as a parameter of another message)."""
    return Message(message_id, params)
