"""Cells: the only thing an anonymous answer says about who gave it.

Everyone asked in a wave is placed in a cell before anyone answers, and an answer records only its cell. A cell
starts as (department, direct manager). A cell with fewer than the minimum of people asked is merged into its
manager's manager's cell (same department), step by step up the chart, then into the department's own cell;
a department's own cell still too small joins the department's smallest team cell, or the catch-all for the
whole audience when the department has none; a catch-all still below the minimum swallows the smallest other
cells until it reaches it. So every cell (but in an audience smaller than the minimum, which never shows any
result) holds at least the minimum of people: an answer read straight from the database points at a group,
never at a person.

Cell keys are `<manager id or ->|<department or *>`; the groups results are shown for (the whole audience,
each department, each manager's team) are sets of cells (`groups`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

CATCH_ALL = "-|*"


@dataclass(frozen=True)
class Asked:
    """Someone asked in a wave, as placing them in a cell needs them."""

    person_id: int
    department: str | None
    manager_id: int | None


def cell_key(manager_id: int | None, department: str | None) -> str:
    return f"{manager_id if manager_id is not None else '-'}|{(department or '*')[:100]}"


def parse_cell(key: str) -> tuple[int | None, str | None]:
    manager, _, department = key.partition("|")
    return (int(manager) if manager.isdigit() else None), (None if department == "*" else department)


def assign_cells(asked: Iterable[Asked], manager_of: Mapping[int, int | None], minimum: int) -> dict[int, str]:
    """Person id → cell key, every cell holding at least `minimum` people (see the module docstring).
    `manager_of` is the org chart (person id → manager id) for everyone, asked or not."""
    people = list(asked)
    cells: dict[tuple[int | None, str | None], set[int]] = {}
    for p in people:
        cells.setdefault((p.manager_id, p.department), set()).add(p.person_id)

    def depth(manager_id: int | None) -> int:
        seen: set[int] = set()
        n = 0
        while manager_id is not None and manager_id not in seen:
            seen.add(manager_id)
            manager_id = manager_of.get(manager_id)
            n += 1
        return n

    # Up the chart, deepest small cells first, until every manager-level cell is big enough. A cell merges into
    # a manager's cell it merged from before only in a broken chart (a cycle): it goes to the department then.
    merged: set[tuple[int | None, str | None]] = set()
    while True:
        small = [k for k, v in cells.items() if k[0] is not None and 0 < len(v) < minimum]
        if not small:
            break
        key = max(small, key=lambda k: (depth(k[0]), str(k)))
        merged.add(key)
        manager = key[0]
        up = manager_of.get(manager) if manager is not None else None
        if up == manager or (up, key[1]) in merged:
            up = None
        cells.setdefault((up, key[1]), set()).update(cells.pop(key))
    # A department's own cell too small joins the department's smallest team cell, else the catch-all.
    catch_all: set[int] = set()
    for key in [k for k, v in cells.items() if k[0] is None and k[1] is not None and len(v) < minimum]:
        teams = [k for k in cells if k[1] == key[1] and k[0] is not None]
        if teams:
            cells[min(teams, key=lambda k: (len(cells[k]), str(k)))] |= cells.pop(key)
        else:
            catch_all |= cells.pop(key)
    catch_all |= cells.pop((None, None), set())
    while 0 < len(catch_all) < minimum and cells:
        smallest = min(cells, key=lambda k: (len(cells[k]), str(k)))
        catch_all |= cells.pop(smallest)
    out = {pid: cell_key(k[0], k[1]) for k, members in cells.items() for pid in members}
    out.update({pid: CATCH_ALL for pid in catch_all})
    return out


def chain(manager_id: int | None, manager_of: Mapping[int, int | None]) -> list[int]:
    """`manager_id` and everyone above them."""
    out: list[int] = []
    while manager_id is not None and manager_id not in out:
        out.append(manager_id)
        manager_id = manager_of.get(manager_id)
    return out


@dataclass(frozen=True)
class Group:
    """A group results may be shown for: its cells and the people asked in them."""

    key: str  # "all", "dept:<name>", "team:<manager id>"
    kind: str  # "all", "department", "team"
    parent: str | None
    cells: frozenset[str]
    members: frozenset[int]
    manager_id: int | None = None
    department: str | None = None


def groups(cells_of: Mapping[int, str], manager_of: Mapping[int, int | None]) -> list[Group]:
    """The whole audience, each department, and each manager's team (the cells at or below them)."""
    by_cell: dict[str, set[int]] = {}
    for pid, cell in cells_of.items():
        by_cell.setdefault(cell, set()).add(pid)

    def members(cells: Iterable[str]) -> frozenset[int]:
        return frozenset(pid for c in cells for pid in by_cell.get(c, ()))

    out = [Group("all", "all", None, frozenset(by_cell), members(by_cell))]
    departments: dict[str, set[str]] = {}
    teams: dict[int, set[str]] = {}
    for cell in by_cell:
        manager, department = parse_cell(cell)
        if department is not None:
            departments.setdefault(department, set()).add(cell)
        for m in chain(manager, manager_of):
            teams.setdefault(m, set()).add(cell)
    for name in sorted(departments):
        cells = frozenset(departments[name])
        out.append(Group(f"dept:{name}", "department", "all", cells, members(cells), department=name))
    for manager in sorted(teams):
        cells = frozenset(teams[manager])
        up = manager_of.get(manager)
        parent = f"team:{up}" if up is not None and up in teams else "all"
        out.append(Group(f"team:{manager}", "team", parent, cells, members(cells), manager_id=manager))
    return out
