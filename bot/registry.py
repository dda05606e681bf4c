"""The Slack side of the features, gathered from the one list of features (`models.features.FEATURES`).

Each feature's package in `handlers/` (named by its `Feature.slack`) exposes `SLACK`, a `SlackSide`: the
function that registers its Bolt listeners, the outbox renderers of its message kinds, its App Home
sections and its event handlers. `bot.runtime.slack_registry()` imports those packages in list order and
joins them (`SlackRegistry.of`) with the infrastructure's own side (the App Home). Nothing registers itself
as a side effect of being imported, and an event can have handlers in several features.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.delivery import Renderer
from bot.i18n import Translator
from bot.services import Services
from models.core.config import OrgConfig
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


@dataclass(frozen=True)
class SlackSide:
    register: Callable[[App, Services], None] = _no_listeners
    renderers: Mapping[str, Renderer] = field(default_factory=dict)
    home: tuple[HomeSection, ...] = ()
    events: Mapping[str, tuple[EventHandler, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class SlackRegistry:
    sides: tuple[SlackSide, ...]
    renderers: Mapping[str, Renderer]
    home: tuple[HomeSection, ...]
    events: Mapping[str, tuple[EventHandler, ...]]

    @classmethod
    def of(cls, sides: Iterable[SlackSide]) -> SlackRegistry:
        """Join sides, in order. Two renderers for one outbox kind are a mistake, refused here."""
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
        return cls(sides=sides, renderers=renderers, home=home, events=events)
