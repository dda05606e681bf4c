"""The Slack side of the features, gathered from the one list of features (`models.features.FEATURES`).

Each feature's package in `handlers/` (named by its `Feature.slack`) exposes `SLACK`, a `SlackSide`: the
function that registers its Bolt listeners, the outbox renderers of its message kinds, its App Home
sections and its event handlers. `bot.runtime.slack_registry()` imports those packages in list order and
joins them (`SlackRegistry.of`) with the infrastructure's own side (the App Home). Nothing registers itself
as a side effect of being imported, and an event can have handlers in several features.

A feature can also add a part to another feature's form without that feature knowing it: a field in the weekly
check-in modal (`CheckinExtension`), a field in the kudos modal and words of `/kudos` text (`KudosExtension`).
The form's handler asks the registry for the parts (`SlackRegistry.checkin_extensions`, `kudos_extensions`),
shows their blocks, seals what they ask with its own state, and records them in its own unit of work: a part
that refuses (`PartRefused`) rolls back the whole submission, so nothing of it is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.delivery import Renderer
from bot.i18n import Translator
from bot.services import Services
from bot.text import truncate
from models.core.config import OrgConfig
from models.core.messages import Message
from models.core.tables import Person

if TYPE_CHECKING:
    from slack_bolt import App

HomeSectionFn = Callable[[Session, Person, Translator, OrgConfig], list[Block]]
EventHandler = Callable[[Session, Services, dict[str, Any]], None]


@dataclass(frozen=True)
class HomeSection:
    """One part of the App Home; lower `order` shows first. `build` returns no blocks to show nothing."""

    order: int
    build: HomeSectionFn


def _no_listeners(app: App, services: Services) -> None:
    """A side with nothing to register in Bolt (events are registered by `bot.events`)."""


# -- parts of another feature's forms ------------------------------------------------------------------------


class PartRefused(Exception):
    """A part of a form refused what was submitted in it: a message for each block it concerns (block id →
    message id with its parameters). Raised inside the form's unit of work, it rolls back the whole submission;
    the form's handler shows the messages (`in_language`) inline, or as one reply to a command."""

    def __init__(self, errors: Mapping[str, Message]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(m.english() for m in self.errors.values()))

    def in_language(self, t: Translator) -> dict[str, str]:
        return {block: truncate(t.message(message), 2000) for block, message in self.errors.items()}


@dataclass(frozen=True)
class FormPart:
    """What a part adds to a modal when it opens: its blocks, and a little state of its own (what it showed) that
    the form seals with its own and hands back at submission. Small JSON: it travels in `private_metadata`
    (3,000 characters for the whole form)."""

    blocks: list[Block]
    sealed: dict[str, Any] = field(default_factory=dict)


# What a part read from a submission: None (nothing asked of it), else what `apply` records; and its
# errors by block id (nothing is written when there is any).
Reading = tuple[Any, dict[str, Message]]
StateValues = Mapping[str, Any]  # a submitted view's `state.values`: block id → action id → value


def _always(org: OrgConfig) -> bool:
    return True


@dataclass(frozen=True)
class CheckinExtension:
    """A feature's part of the weekly check-in modal (goals: a quick progress field for each active goal).

    - `blocks(session, person, t, org, room)`: what to show at the top of the modal, in at most `room` blocks
      (their block ids must not start with `q_`, the questions'), or None to show nothing.
    - `read(values, sealed)`: what the person submitted in the part (`sealed`: what `blocks` sealed) with no
      database, as a `Reading`.
    - `apply(session, person, org, reading, source_key)`: record it in the check-in's unit of work, after the
      answers (only flush). `source_key` is the same for every retry of one submission. Raise `PartRefused` to
      refuse; return a message for the person (shown with the confirmation) or None.
    """

    name: str  # its key in the sealed state
    blocks: Callable[[Session, Person, Translator, OrgConfig, int], FormPart | None]
    read: Callable[[StateValues, Mapping[str, Any]], Reading]
    apply: Callable[[Session, Person, OrgConfig, Any, str], Message | None]
    enabled: Callable[[OrgConfig], bool] = _always


@dataclass(frozen=True)
class KudosExtension:
    """A feature's part of a kudos (goals: the goal it moved), from a field of the kudos modal or from words of
    `/kudos` text that start with `word_prefix` (e.g. `+grow-revenue-north`: taken out of the message).

    - `blocks(session, team_id, giver_user_id, t, org, recipient_user_ids)`: the modal's field(s), or None.
    - `read(values, sealed)`: what the modal's submission asked, as a `Reading`.
    - `read_words(words)`: what the `/kudos` words with the prefix (as typed, prefix included) ask.
    - `apply(session, kudos_id, giver, org, reading)`: record it once the kudos is saved, in its unit of work
      (only flush; a double submit does not call it again). Raise `PartRefused` to refuse the whole kudos;
      return a message for the giver (shown with the confirmation) or None.
    """

    name: str
    blocks: Callable[[Session, str, str, Translator, OrgConfig, Sequence[str]], FormPart | None]
    read: Callable[[StateValues, Mapping[str, Any]], Reading]
    apply: Callable[[Session, int, Person, OrgConfig, Any], Message | None]
    word_prefix: str = ""
    read_words: Callable[[Sequence[str]], Any] | None = None
    enabled: Callable[[OrgConfig], bool] = _always


@dataclass(frozen=True)
class SlackSide:
    register: Callable[[App, Services], None] = _no_listeners
    renderers: Mapping[str, Renderer] = field(default_factory=dict)
    home: tuple[HomeSection, ...] = ()
    events: Mapping[str, tuple[EventHandler, ...]] = field(default_factory=dict)
    checkin_extension: CheckinExtension | None = None
    kudos_extension: KudosExtension | None = None


@dataclass(frozen=True)
class SlackRegistry:
    sides: tuple[SlackSide, ...]
    renderers: Mapping[str, Renderer]
    home: tuple[HomeSection, ...]
    events: Mapping[str, tuple[EventHandler, ...]]
    checkin_extensions: tuple[CheckinExtension, ...] = ()
    kudos_extensions: tuple[KudosExtension, ...] = ()

    @classmethod
    def of(cls, sides: Iterable[SlackSide]) -> SlackRegistry:
        """Join sides, in order. Two renderers for one outbox kind, two form parts with one name, or two kudos
        parts claiming one word prefix are mistakes, refused here."""
        sides = tuple(sides)
        renderers: dict[str, Renderer] = {}
        events: dict[str, tuple[EventHandler, ...]] = {}
        for side in sides:
            for kind, fn in side.renderers.items():
                if kind in renderers:
                    raise RuntimeError(f"two renderers for outbox kind {kind!r}")
                renderers[kind] = fn
            for event_type, handlers in side.events.items():
                events[event_type] = events.get(event_type, ()) + tuple(handlers)
        home = tuple(sorted((s for side in sides for s in side.home), key=lambda s: s.order))
        checkin = tuple(side.checkin_extension for side in sides if side.checkin_extension is not None)
        kudos = tuple(side.kudos_extension for side in sides if side.kudos_extension is not None)
        for parts in (checkin, kudos):
            names = [part.name for part in parts]
            if len(set(names)) != len(names):
                raise RuntimeError(f"two form parts with one name: {sorted(names)}")
        prefixes = [part.word_prefix for part in kudos if part.word_prefix]
        if len(set(prefixes)) != len(prefixes):
            raise RuntimeError(f"two kudos parts claim one word prefix: {sorted(prefixes)}")
        return cls(sides=sides, renderers=renderers, home=home, events=events, checkin_extensions=checkin,
                   kudos_extensions=kudos)
