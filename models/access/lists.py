"""Lists: the WHERE clause (or owner ids) that keeps only what a viewer may see, filtered in SQL."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.orm import Session

from models.access.viewers import ALL, NOT_BY_OWNER, OWNED_KINDS, OwnerIds, RecordKind, Viewer
from models.people.chart import report_ids


def visible_owner_ids(session: Session, viewer: Viewer, kind: RecordKind | str) -> OwnerIds:
    """Ids of the people whose records of `kind` the viewer may see, or `ALL` (every owner in the workspace).

    For kinds that depend on the owner only. Private feedback, 1:1 notes, action items and pulse aggregates
    also depend on the author, the pair or the group size: use `visible_where` for them.
    """
    kind = RecordKind(kind)
    if kind in NOT_BY_OWNER:
        raise ValueError(f"visibility of {kind.value} depends on more than its owner: use visible_where()")
    if viewer.is_operator:
        return set() if kind is RecordKind.PULSE_ANSWER else ALL
    me = viewer.person
    if me is None or not viewer.active:
        return set()
    if kind in (RecordKind.KUDOS, RecordKind.GOAL_PUBLIC):
        return ALL
    hr = viewer.is_hr_admin
    if kind is RecordKind.PULSE_ANSWER:
        return {me.id}
    if kind is RecordKind.PERSONAL_EXPORT:
        return ALL if hr else {me.id}
    if kind in (RecordKind.AUDIT_LOG, RecordKind.HR_DIGEST):
        return ALL if hr else set()
    # CHECKIN_ANSWER, GOAL_PRIVATE: own + everyone below.
    if hr:
        return ALL
    return {me.id} | {int(i) for i in session.scalars(report_ids(me))}


def visible_where(
    viewer: Viewer,
    kind: RecordKind | str,
    *,
    owner_id: ColumnElement[int] | None = None,
    author_id: ColumnElement[int] | None = None,
    pair_manager_id: ColumnElement[int] | None = None,
    shared_with_manager: bool | ColumnElement[bool] = False,
    group_size: int | ColumnElement[int] | None = None,
    team_id: ColumnElement[str] | None = None,
    hr_sees_notes: bool = False,
    min_group_size: int = 5,
) -> ColumnElement[bool]:
    """A WHERE clause keeping only the rows of `kind` the viewer may see. Agrees with `can_see`.

    Pass the record table's columns: `owner_id` (required for owned kinds), `author_id` (feedback),
    `pair_manager_id` (1:1 notes, action items), `shared_with_manager` and `group_size` (a column or a
    constant), and `team_id` to keep other workspaces out (otherwise the caller's query must).
    Manager-chain rules become `owner_id IN (<recursive query of the viewer's reports>)`.
    """
    kind = RecordKind(kind)
    if kind in OWNED_KINDS and owner_id is None:
        raise ValueError(f"listing {kind.value} records needs the owner column")

    size_ok: ColumnElement[bool] = true()
    if kind is RecordKind.PULSE_AGGREGATE:
        if group_size is None:
            return false()
        if isinstance(group_size, int):
            if group_size < min_group_size:
                return false()
        else:
            size_ok = group_size >= min_group_size
    if kind is RecordKind.PULSE_ANSWER and viewer.is_operator:
        return false()
    if viewer.is_operator:
        return size_ok

    me = viewer.person
    if me is None or not viewer.active:
        return false()
    scope: ColumnElement[bool] = team_id == me.team_id if team_id is not None else true()
    hr = viewer.is_hr_admin

    def own() -> ColumnElement[bool]:
        return owner_id == me.id if owner_id is not None else false()

    def chain() -> ColumnElement[bool]:
        return owner_id.in_(report_ids(me)) if owner_id is not None else false()

    def shared() -> ColumnElement[bool]:
        if isinstance(shared_with_manager, bool):
            return true() if shared_with_manager else false()
        return shared_with_manager

    rule: ColumnElement[bool]
    if kind in (RecordKind.KUDOS, RecordKind.GOAL_PUBLIC):
        rule = true()
    elif kind is RecordKind.PRIVATE_FEEDBACK:
        if hr:
            rule = true()
        else:
            by_me = author_id == me.id if author_id is not None else false()
            rule = or_(own(), by_me, and_(shared(), chain()))
    elif kind is RecordKind.MANAGER_FEEDBACK:
        by_me = author_id == me.id if author_id is not None else false()
        rule = or_(by_me, and_(owner_id != me.id if owner_id is not None else true(), true() if hr else chain()))
    elif kind in (RecordKind.CHECKIN_ANSWER, RecordKind.GOAL_PRIVATE, RecordKind.FEEDBACK_360):
        rule = true() if hr else or_(own(), chain())
    elif kind in (RecordKind.ONE_ON_ONE_NOTE, RecordKind.ACTION_ITEM):
        if hr and hr_sees_notes:
            rule = true()
        else:
            mine = pair_manager_id == me.id if pair_manager_id is not None else false()
            rule = or_(own(), mine)
    elif kind is RecordKind.PULSE_ANSWER:
        rule = own()
    elif kind is RecordKind.PULSE_AGGREGATE:
        rule = true() if hr else or_(own(), chain())
    elif kind is RecordKind.PERSONAL_EXPORT:
        rule = true() if hr else own()
    else:  # AUDIT_LOG, HR_DIGEST
        rule = true() if hr else false()
    return and_(scope, size_ok, rule)
