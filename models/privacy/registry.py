"""The personal-data registry: how rows of each table link to a person and which columns hold their words or
names. It starts from the core tables' entries (`core_tables.CORE`) and every feature's
(`models.features.personal_data()`); tests may register more."""

from __future__ import annotations

from models.core.base import Base
from models.core.personal_data import PersonalData
from models.features import personal_data
from models.privacy.core_tables import CORE

_REGISTRY: dict[str, PersonalData] = {}


def register_personal_data(entry: PersonalData) -> PersonalData:
    """Add (or replace, by `entry.key`) a registry entry. Checks that the table and columns exist."""
    table = Base.metadata.tables.get(entry.table)
    if table is None:
        raise ValueError(f"personal data registered for unknown table {entry.table!r}")
    for col in (*entry.person_columns, *entry.text_columns, *entry.content_columns, *(entry.owner_columns or ())):
        if col not in table.c:
            raise ValueError(f"personal data registered for unknown column {entry.table}.{col}")
    if entry.on_erase not in ("anonymise", "delete", "keep"):
        raise ValueError(f"on_erase must be anonymise, delete or keep, not {entry.on_erase!r}")
    _REGISTRY[entry.key] = entry
    return entry


def unregister_personal_data(key: str) -> None:
    _REGISTRY.pop(key, None)


def registered() -> tuple[PersonalData, ...]:
    """Every registry entry: the core tables' and every feature's (`models.features`)."""
    return tuple(_REGISTRY.values())


def registry_problems() -> list[str]:
    """Tables of `Base.metadata` whose link to people no registry entry covers (empty: all covered)."""
    covered = {(e.table, c) for e in _REGISTRY.values() for c in e.person_columns}
    listed = {e.table for e in _REGISTRY.values()}
    problems = []
    for table in Base.metadata.sorted_tables:
        if table.name not in listed:
            problems.append(f"table {table.name} is not registered in models.privacy (register it, even as 'keep')")
            continue
        for col in table.c:
            to_people = any(fk.column.table.name == "people" for fk in col.foreign_keys)
            if to_people and (table.name, col.name) not in covered:
                problems.append(f"{table.name}.{col.name} references people but is not a registered person column")
    return problems


def _start() -> None:
    for entry in (*CORE, *personal_data()):  # the core tables', then each feature's, in list order
        register_personal_data(entry)


_start()
