"""What a feature adds to the 1:1 agenda: sections, each a function over the store.

A feature declares `SectionSpec`s in its `Feature`; `models.agenda` runs the ones the viewer may see (by the
access-policy record kind each declares) for the window since the pair's last 1:1, in `order`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models.core.messages import _t
from models.core.tables import Person

SECTION_LINES_MAX = 100  # lines a section returns at most (the "Show all" modal's capacity)


@dataclass(frozen=True)
class AgendaSection:
    """One part of an agenda. `title` and `empty` are English message ids the view translates; `lines` are
    phrases (`models.core.messages.Phrase`: the view translates and escapes them), at most
    `SECTION_LINES_MAX`; `total` counts every line there is. `item_ids` (action items) parallel `lines` and
    get a Done button."""

    title: str
    lines: list[str]
    total: int
    key: str = ""
    item_ids: list[int] = field(default_factory=list)
    empty: str = _t("Nothing since your last 1:1.")


class Pair(Protocol):
    """The 1:1 an agenda is for, as a section sees it (a `models.one_on_ones.tables.OneOnOnePair`)."""

    @property
    def id(self) -> int: ...

    @property
    def manager_id(self) -> int: ...

    @property
    def report_id(self) -> int: ...


SectionFn = Callable[[Session, Any, datetime, datetime], AgendaSection]


@dataclass(frozen=True)
class SectionSpec:
    """An agenda section: `fn(session, pair, since, until)`; `record` is the access-policy record kind it
    reveals (the section is left out for a viewer who may not see that kind)."""

    key: str
    order: int
    fn: SectionFn
    record: str | None = None


def people_by_id(session: Session, ids: Iterable[int]) -> dict[int, Person]:
    wanted = set(ids)
    return {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(wanted)))} if wanted else {}


def count_rows(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)
