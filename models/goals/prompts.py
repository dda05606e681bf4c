"""Goal prompts (filled in by the nudges work)."""

from __future__ import annotations

from models.core.prompts import PromptKind

PROMPTS: tuple[PromptKind, ...] = ()
