"""How a table holds personal data, and what an export or an erasure hook gets to work with.

Each feature declares a `PersonalData` entry for each of its tables (in `models/<feature>/personal_data.py`,
listed in its `Feature`); `models.privacy` exports and erases through every entry of every feature. The
helpers below are for a feature's own export sections and erasure hooks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

from sqlalchemy import ColumnElement, inspect, update
from sqlalchemy.orm import Session

from models.core.tables import Person

REMOVED_TEXT = "[removed at the author's request]"  # the erased person's own words
REMOVED_ABOUT_TEXT = "[removed at the request of the person it was about]"  # others' words about them
REDACTED = "[removed]"

EraseMode = Literal["anonymise", "delete", "keep"]


@dataclass
class ErasureReport:
    """What one erasure did. `as_audit()` is what goes in the audit log (it does not link to the row)."""

    team_id: str
    person_id: int
    erased_at: datetime
    deleted: dict[str, int] = field(default_factory=dict)  # table -> rows deleted
    replaced: dict[str, int] = field(default_factory=dict)  # table -> rows whose content was replaced
    redacted: dict[str, int] = field(default_factory=dict)  # table -> rows where identifiers were redacted
    outbox_skipped: int = 0
    manager_cleared: bool = False
    reports_unlinked: list[str] = field(default_factory=list)  # Slack ids of former reports

    def count(self, bucket: dict[str, int], table: str, n: int) -> None:
        if n:
            bucket[table] = bucket.get(table, 0) + n

    def as_audit(self) -> dict[str, Any]:
        return {
            "deleted": dict(self.deleted),
            "replaced": dict(self.replaced),
            "redacted": dict(self.redacted),
            "outbox_skipped": self.outbox_skipped,
            "manager_cleared": self.manager_cleared,
            "reports_unlinked": list(self.reports_unlinked),
        }


@dataclass(frozen=True)
class Erasure:
    """What an erasure hook gets: the person (still named), the identifiers to scrub, and the report."""

    session: Session
    person: Person
    original_slack_id: str
    placeholder: str
    terms: tuple[str, ...]
    report: ErasureReport

    def redact(self, value: Any) -> Any:
        """`value` (text or JSON) with the person's identifiers replaced. Other values unchanged.

        The Slack id becomes the placeholder (keeps unique keys unique); email and names become `REDACTED`.
        """
        return redact_value(value, self._pattern, self._replacement)

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        return terms_pattern(self.terms)

    def replace(self, column: Any, where: ColumnElement[bool], text: str = REMOVED_ABOUT_TEXT) -> int:
        """For hooks: set `column` (a Table column) to `text` in the rows matching `where` that have a value.

        Counted in the report as replaced. Returns the number of rows.
        """
        table = column.table
        result = self.session.execute(
            update(table)
            .where(where, column.is_not(None))
            .values({column.key: text})
            .execution_options(synchronize_session=False)
        )
        n = rowcount(result)
        self.report.count(self.report.replaced, table.name, n)
        return n

    def _replacement(self, match: re.Match[str]) -> str:
        return self.placeholder if match.group(0).lower() == self.original_slack_id.lower() else REDACTED


Exporter = Callable[[Session, Person], Any]


Eraser = Callable[[Erasure], None]


@dataclass(frozen=True)
class PersonalData:
    """How one table holds personal data.

    - `person_columns`: columns holding a `people.id` that ties a row to the person.
    - `text_columns`: free text or JSON that may name people: identifiers are redacted in every row of the
      workspace at erasure.
    - `content_columns`: content that belongs to the linked person (what they wrote, what was sent to them):
      replaced whole at erasure (text by `replacement`, JSON by `{}`) in rows linked through
      `owner_columns` (default: every person column; `()`: none, e.g. when a hook decides).
    - `on_erase`: "anonymise" (rows stay, content replaced, names redacted), "delete" (linked rows deleted)
      or "keep" (never touched: the audit log).
    - `exporter`: custom export section; default: the linked rows, every column. `export=False`: none.
    - `eraser`: an extra step run after the generic ones (before redaction).
    """

    table: str
    person_columns: tuple[str, ...] = ()
    text_columns: tuple[str, ...] = ()
    on_erase: EraseMode = "anonymise"
    content_columns: tuple[str, ...] = ()
    owner_columns: tuple[str, ...] | None = None
    replacement: str = REMOVED_TEXT
    exporter: Exporter | None = None
    export: bool = True
    eraser: Eraser | None = None
    name: str = ""  # registry key; defaults to the table name
    description: str = ""

    @property
    def key(self) -> str:
        return self.name or self.table


def rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def dedupe_terms(values: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for v in values:
        v = (v or "").strip()
        if v and v.lower() not in seen:
            seen[v.lower()] = v
    # Longest first, so "ana@example.com" is removed whole before "ana" could match part of it.
    return tuple(sorted(seen.values(), key=lambda t: (-len(t), t)))


def terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = "|".join(re.escape(t) for t in terms)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def redact_value(value: Any, pattern: re.Pattern[str] | None, repl: Callable[[re.Match[str]], str]) -> Any:
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub(repl, value)
    if isinstance(value, dict):
        return {redact_value(k, pattern, repl): redact_value(v, pattern, repl) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v, pattern, repl) for v in value]
    return value


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else value.isoformat()


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return iso(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return None
    return value


def ref(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {"slack_user_id": person.slack_user_id, "name": person.label}


def as_dict(obj: Any) -> dict[str, Any]:
    return {attr.key: jsonable(getattr(obj, attr.key)) for attr in inspect(obj).mapper.column_attrs}


def person_ref(session: Session, person_id: int | None) -> dict[str, Any] | None:
    return ref(session.get(Person, person_id)) if person_id is not None else None
