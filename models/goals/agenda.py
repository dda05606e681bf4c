"""The goals section of the 1:1 agenda (filled in by the nudges work)."""

from __future__ import annotations

from models.core.agenda import SectionSpec

SECTIONS: tuple[SectionSpec, ...] = ()
