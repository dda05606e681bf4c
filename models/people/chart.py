"""The org chart: who reports to whom. One recursive query each way, whatever the depth, guarded against a
cycle in corrupt data. `models.access` and the org changes both read the chart here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CTE, Integer, Select, func, literal_column, select
from sqlalchemy.orm import Session

from models.core.tables import Person, active_person

# Deeper than any real org chart; stops the recursive queries on a corrupt cycle in the data.
MAX_DEPTH = 100


def manager_chain(session: Session, person: Person) -> list[Person]:
    """The person's managers, direct manager first, up to the top. One query whatever the depth.

    Deactivated managers are included (callers filter on `.active`). A cycle in corrupt data ends the
    chain before anyone repeats.
    """
    chain = chain_cte(person.id, person.team_id)
    rows = session.execute(
        select(Person)
        .join(chain, Person.id == chain.c.id)
        .where(Person.team_id == person.team_id)
        .order_by(chain.c.depth)
    ).scalars()
    result: list[Person] = []
    seen = {person.id}
    for manager in rows:
        if manager.id in seen:
            break
        seen.add(manager.id)
        result.append(manager)
    return result


def reports(session: Session, manager: Person, *, recursive: bool = False, active_only: bool = False) -> list[Person]:
    """Direct reports, or (recursive) the whole subtree, nearest first then by id. One query.

    `active_only` leaves out deactivated, bot and erased people (the subtree still runs through them).
    """
    active = active_person(Person)
    if not recursive:
        q = select(Person).where(Person.manager_id == manager.id, Person.team_id == manager.team_id)
        if active_only:
            q = q.where(*active)
        return list(session.scalars(q.order_by(Person.id)))
    tree = reports_cte(manager.id, manager.team_id)
    nearest = select(tree.c.id, func.min(tree.c.depth).label("depth")).group_by(tree.c.id).subquery()
    q = (
        select(Person)
        .join(nearest, Person.id == nearest.c.id)
        .where(Person.id != manager.id, Person.team_id == manager.team_id)
        .order_by(nearest.c.depth, Person.id)
    )
    if active_only:
        q = q.where(*active)
    return list(session.scalars(q))


def is_manager(session: Session, person: Person) -> bool:
    """True when the person has at least one active direct report (managers are derived, not flagged)."""
    q = select(Person.id).where(
        Person.manager_id == person.id,
        Person.team_id == person.team_id,
        *active_person(Person),
    )
    return session.scalar(q.limit(1)) is not None


def is_in_chain(session: Session, manager: Person, person: Person) -> bool:
    """True when `manager` is anywhere above `person` (direct manager or higher). One query."""
    if manager.id == person.id or manager.team_id != person.team_id:
        return False
    chain = chain_cte(person.id, person.team_id)
    return session.scalar(select(chain.c.id).where(chain.c.id == manager.id).limit(1)) is not None


def _one() -> Any:
    # A literal, not a bound parameter: PostgreSQL needs the recursive CTE's column types to agree.
    return literal_column("1", Integer)


def chain_cte(person_id: int, team_id: str) -> CTE:
    """(id, depth) of everyone above the person: depth 1 is the direct manager. Stops at MAX_DEPTH."""
    anchor = select(Person.manager_id.label("id"), _one().label("depth")).where(
        Person.id == person_id, Person.manager_id.is_not(None)
    )
    chain = anchor.cte("manager_chain", recursive=True)
    step = select(Person.manager_id, chain.c.depth + _one()).where(
        Person.id == chain.c.id,
        Person.manager_id.is_not(None),
        Person.team_id == team_id,
        chain.c.depth < MAX_DEPTH,
    )
    return chain.union_all(step)


def reports_cte(manager_id: int, team_id: str) -> CTE:
    """(id, depth) of everyone below the manager: depth 1 is a direct report. Stops at MAX_DEPTH."""
    anchor = select(Person.id.label("id"), _one().label("depth")).where(
        Person.manager_id == manager_id, Person.team_id == team_id
    )
    tree = anchor.cte("reports_tree", recursive=True)
    step = select(Person.id, tree.c.depth + _one()).where(
        Person.manager_id == tree.c.id, Person.team_id == team_id, tree.c.depth < MAX_DEPTH
    )
    return tree.union_all(step)


def chain_ids(session: Session, person: Person) -> set[int]:
    """Ids of everyone above this person (their manager, their manager's manager, ...). One query."""
    chain = chain_cte(person.id, person.team_id)
    ids = {int(i) for i in session.scalars(select(chain.c.id))}
    ids.discard(person.id)
    return ids


def report_ids(manager: Person) -> Select[Any]:
    """A SELECT of the ids of everyone below this manager (direct and indirect reports)."""
    return select(reports_cte(manager.id, manager.team_id).c.id)
