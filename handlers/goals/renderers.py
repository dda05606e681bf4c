"""Goal messages the outbox delivers (being built)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.delivery import Renderer

RENDERERS: Mapping[str, Renderer] = {}
