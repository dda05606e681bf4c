"""Who may see what. Every read path asks this module; nothing else decides visibility.

Roles
-----
- **employee**: any active person in the workspace.
- **manager** (derived, never stored): anyone with reports. "Manager of X" means *anywhere* in X's manager
  chain (direct manager, skip-level, ... up to the top), following `Person.manager_id`.
- **HR admin**: `Person.is_hr_admin`, or the person's Slack id is in the configured `hr.admins` (passed in
  as `hr_admin_ids`: this module never reads configuration).
- **operator**: whoever runs the CLI on the server. A `Viewer` that is not a person.

A viewer who is deactivated, a bot or erased (`Person.active` is false) sees nothing, whatever their role.
A person only ever sees records of their own workspace (`owner.team_id`, or `team_id` for the audit log and
the HR digest, which have no owner); operators see every workspace.

Policy (Y = may see; "owner's chain" = everyone above the owner in the org chart)
--------------------------------------------------------------------------------------------------------

=================  =========  ========  ===============  ===========  ==========  ========  ====================
kind               owner      author    owner's chain    HR admin     operator    others    owner is
=================  =========  ========  ===============  ===========  ==========  ========  ====================
kudos              Y          Y         Y                Y            Y           Y         a recipient
private_feedback   Y          Y         only if [1]      Y            Y           -         who it is about
checkin_answer     Y          -         Y                Y            Y           -         who answered
one_on_one_note    Y          -         pair mgr [2]     only if [2]  Y           -         the report
action_item        Y          -         pair mgr [2]     only if [2]  Y           -         the report
goal_public        Y          -         Y                Y            Y           Y         whose goal
goal_private       Y          -         Y                Y            Y           -         whose goal
pulse_answer       Y          -         -                -            -           -         who answered
pulse_aggregate    Y [3]      -         Y [3]            Y [3]        Y [3]       -         the team's manager
personal_export    Y          -         -                Y            Y           -         whose data
audit_log          (none)     -         -                Y            Y           -         (no owner)
hr_digest          (none)     -         -                Y            Y           -         (no owner)
=================  =========  ========  ===============  ===========  ==========  ========  ====================

[1] `shared_with_manager=True`: the author chose to share the feedback with the person's managers.
[2] `hr_sees_notes=True`, i.e. `privacy.hr_sees_one_on_one_notes` in the organisation config. For notes
    and action items "pair manager" is `pair_manager` (the manager side of that 1:1), whether or not they
    are the owner's line manager; nobody else in the chain sees them.
[3] Only when `group_size >= min_group_size` (`privacy.min_group_size`). Below it (or when the size is
    unknown) NOBODY sees the aggregate, not HR, not operators. The owner of an aggregate is the manager
    whose team it covers: that manager and everyone above them may see it (a company-wide aggregate: the
    top of the org chart). Members of the group who manage nobody in it do not see the results.

Operators see everything except individual pulse answers and aggregates below the threshold.

How to use
----------
- One record: `can_see(...)` (a bool) or `require(...)` (raises `AccessDenied` with the reason);
  `decide(...)` gives both the answer and the reason.
- A list: filter in SQL, do not load then drop. `visible_where(viewer, kind, owner_id=Table.owner_id, ...)`
  returns a WHERE clause; `visible_owner_ids(session, viewer, kind)` returns the owner ids a viewer may see
  (or `ALL`) for kinds that depend on the owner only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeAlias

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from models.core.tables import Person
from models.people.chart import chain_ids, report_ids


class RecordKind(StrEnum):
    """Every kind of record Candor holds (or will hold) that somebody might want to see."""

    KUDOS = "kudos"
    PRIVATE_FEEDBACK = "private_feedback"
    CHECKIN_ANSWER = "checkin_answer"
    ONE_ON_ONE_NOTE = "one_on_one_note"
    ACTION_ITEM = "action_item"
    GOAL_PUBLIC = "goal_public"
    GOAL_PRIVATE = "goal_private"
    PULSE_ANSWER = "pulse_answer"  # one person's anonymous answer
    PULSE_AGGREGATE = "pulse_aggregate"  # the results of a group
    PERSONAL_EXPORT = "personal_export"
    AUDIT_LOG = "audit_log"
    HR_DIGEST = "hr_digest"


class Role(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR_ADMIN = "hr_admin"
    OPERATOR = "operator"


# Kinds that are about one person, so a caller must say who (`owner`).
OWNED_KINDS: Final = frozenset(RecordKind) - {RecordKind.AUDIT_LOG, RecordKind.HR_DIGEST}
# Kinds whose visibility depends on more than the owner: list them with `visible_where`.
_NOT_BY_OWNER: Final = frozenset(
    {
        RecordKind.PRIVATE_FEEDBACK,
        RecordKind.ONE_ON_ONE_NOTE,
        RecordKind.ACTION_ITEM,
        RecordKind.PULSE_AGGREGATE,
    }
)


class _All:
    """`visible_owner_ids` answer meaning "every owner in the viewer's workspace"."""

    _instance: _All | None = None

    def __new__(cls) -> _All:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ALL"

    def __contains__(self, _item: object) -> bool:
        return True


ALL: Final = _All()
OwnerIds: TypeAlias = set[int] | _All


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a Slack member (with the configured HR admin ids) or the operator at the CLI."""

    person: Person | None
    is_operator: bool = False
    hr_admin_ids: frozenset[str] = frozenset()

    @classmethod
    def slack(cls, person: Person | None, hr_admin_ids: Iterable[str] = ()) -> Viewer:
        """A Slack member. `hr_admin_ids` is the organisation config's `hr.admins`."""
        return cls(person=person, is_operator=False, hr_admin_ids=frozenset(hr_admin_ids))

    @classmethod
    def operator(cls) -> Viewer:
        """The operator running the CLI."""
        return cls(person=None, is_operator=True)

    @property
    def active(self) -> bool:
        """False for a deactivated, bot or erased person, or a viewer that is nobody."""
        if self.is_operator:
            return True
        return self.person is not None and self.person.active

    @property
    def is_hr_admin(self) -> bool:
        p = self.person
        if p is None or not self.active:
            return False
        return bool(p.is_hr_admin) or p.slack_user_id in self.hr_admin_ids

    @property
    def label(self) -> str:
        if self.is_operator:
            return "the operator"
        return self.person.slack_user_id if self.person is not None else "nobody"


@dataclass(frozen=True)
class Subject:
    """What a record is about, as far as visibility goes.

    `owner`: the person the record belongs to or is about (kudos recipient, feedback's subject, the answerer,
    the report in a 1:1, the manager whose team a pulse aggregate covers); None for the audit log and the HR
    digest, which name their workspace in `team_id` instead (a record of no workspace is for operators only).
    `author`: who wrote it (private feedback). `pair_manager`: the manager side of a 1:1.
    `group_size`: how many people a pulse aggregate summarises.
    """

    owner: Person | None = None
    author: Person | None = None
    pair_manager: Person | None = None
    shared_with_manager: bool = False
    group_size: int | None = None
    team_id: str | None = None  # the record's workspace; taken from `owner` when there is one

    @property
    def workspace(self) -> str | None:
        return self.owner.team_id if self.owner is not None else self.team_id


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


class AccessDenied(PermissionError):
    """The viewer may not see this record. `str()` says who, what and why."""

    def __init__(self, viewer: Viewer, kind: RecordKind, reason: str) -> None:
        self.viewer = viewer
        self.kind = kind
        self.reason = reason
        super().__init__(f"{viewer.label} may not see {kind.value}: {reason}")


def is_manager_of(session: Session, manager: Person, person: Person) -> bool:
    """True when `manager` is anywhere in `person`'s manager chain."""
    return manager.id != person.id and manager.id in chain_ids(session, person)


def has_reports(session: Session, person: Person) -> bool:
    return session.scalar(select(Person.id).where(Person.manager_id == person.id).limit(1)) is not None


def roles(session: Session, viewer: Viewer) -> frozenset[Role]:
    """The viewer's roles (empty for a deactivated or erased person)."""
    if viewer.is_operator:
        return frozenset({Role.OPERATOR})
    if viewer.person is None or not viewer.active:
        return frozenset()
    found = {Role.EMPLOYEE}
    if has_reports(session, viewer.person):
        found.add(Role.MANAGER)
    if viewer.is_hr_admin:
        found.add(Role.HR_ADMIN)
    return frozenset(found)


# -- one record ---------------------------------------------------------------------------------------


def _yes(reason: str) -> Decision:
    return Decision(True, reason)


def _no(reason: str) -> Decision:
    return Decision(False, reason)


def decide(
    session: Session,
    viewer: Viewer,
    kind: RecordKind | str,
    subject: Subject,
    *,
    hr_sees_notes: bool = False,
    min_group_size: int = 5,
) -> Decision:
    """May `viewer` see a record of `kind` about `subject`? The answer and the reason in words."""
    kind = RecordKind(kind)
    owner = subject.owner
    if kind in OWNED_KINDS and owner is None:
        raise ValueError(f"a {kind.value} record needs its owner to decide who may see it")

    # Rules that bind everybody, operators included.
    if kind is RecordKind.PULSE_AGGREGATE:
        size = subject.group_size
        if size is None or size < min_group_size:
            return _no(
                f"results of a group of {'unknown size' if size is None else size} are hidden "
                f"(minimum group size is {min_group_size})"
            )
    if kind is RecordKind.PULSE_ANSWER and viewer.is_operator:
        return _no("an individual pulse answer is visible only to the person who gave it")
    if viewer.is_operator:
        return _yes("operators see everything but individual pulse answers and small groups")

    me = viewer.person
    if me is None or not viewer.active:
        return _no("deactivated or erased people see nothing")
    if subject.workspace != me.team_id:
        return _no("the record belongs to another workspace" if subject.workspace else "the record has no workspace")

    is_owner = owner is not None and owner.id == me.id
    hr = viewer.is_hr_admin

    def in_chain() -> bool:
        return owner is not None and me.id in chain_ids(session, owner)

    if kind in (RecordKind.KUDOS, RecordKind.GOAL_PUBLIC):
        return _yes("public within the workspace")

    if kind is RecordKind.PRIVATE_FEEDBACK:
        if is_owner:
            return _yes("the feedback is about the viewer")
        if subject.author is not None and subject.author.id == me.id:
            return _yes("the viewer wrote it")
        if hr:
            return _yes("HR admin")
        if subject.shared_with_manager and in_chain():
            return _yes("the author shared it with the person's managers")
        return _no(
            "private feedback is seen by the person it is about, its author and HR admins"
            + ("" if subject.shared_with_manager else " (the author did not share it with managers)")
        )

    if kind in (RecordKind.CHECKIN_ANSWER, RecordKind.GOAL_PRIVATE):
        if is_owner:
            return _yes("the viewer's own")
        if hr:
            return _yes("HR admin")
        if in_chain():
            return _yes("the viewer is in the person's manager chain")
        return _no(f"a {kind.value} is seen by the person, their managers and HR admins")

    if kind in (RecordKind.ONE_ON_ONE_NOTE, RecordKind.ACTION_ITEM):
        if is_owner:
            return _yes("the viewer is the report in this 1:1")
        if subject.pair_manager is not None and subject.pair_manager.id == me.id:
            return _yes("the viewer is the manager in this 1:1")
        if hr and hr_sees_notes:
            return _yes("HR admin (privacy.hr_sees_one_on_one_notes is on)")
        return _no(
            "1:1 notes are seen only by the two people of the 1:1"
            + ("" if hr_sees_notes else " (HR admins only when privacy.hr_sees_one_on_one_notes is on)")
        )

    if kind is RecordKind.PULSE_ANSWER:
        if is_owner:
            return _yes("the viewer's own answer")
        return _no("an individual pulse answer is visible only to the person who gave it")

    if kind is RecordKind.PULSE_AGGREGATE:
        if hr:
            return _yes("HR admin")
        if is_owner or in_chain():
            return _yes("the group is the viewer's own team")
        return _no("survey results are seen by HR admins and by managers for their own teams")

    if kind is RecordKind.PERSONAL_EXPORT:
        if is_owner:
            return _yes("the viewer's own data")
        if hr:
            return _yes("HR admin")
        return _no("a personal export is for the person, HR admins and operators")

    # AUDIT_LOG, HR_DIGEST
    if hr:
        return _yes("HR admin")
    return _no(f"the {kind.value} is for HR admins and operators")


def can_see(
    session: Session,
    viewer: Viewer,
    kind: RecordKind | str,
    *,
    owner: Person | None = None,
    author: Person | None = None,
    pair_manager: Person | None = None,
    shared_with_manager: bool = False,
    hr_sees_notes: bool = False,
    group_size: int | None = None,
    min_group_size: int = 5,
    team_id: str | None = None,
) -> bool:
    """True when `viewer` may see this record (see the policy table in the module docstring).

    `owner` is required for every kind but the audit log and the HR digest, which take `team_id` instead.
    """
    subject = Subject(owner, author, pair_manager, shared_with_manager, group_size, team_id)
    return decide(session, viewer, kind, subject, hr_sees_notes=hr_sees_notes, min_group_size=min_group_size).allowed


def require(
    session: Session,
    viewer: Viewer,
    kind: RecordKind | str,
    *,
    owner: Person | None = None,
    author: Person | None = None,
    pair_manager: Person | None = None,
    shared_with_manager: bool = False,
    hr_sees_notes: bool = False,
    group_size: int | None = None,
    min_group_size: int = 5,
    team_id: str | None = None,
) -> None:
    """Like `can_see`, but raise `AccessDenied` (saying why) instead of returning False."""
    subject = Subject(owner, author, pair_manager, shared_with_manager, group_size, team_id)
    decision = decide(session, viewer, kind, subject, hr_sees_notes=hr_sees_notes, min_group_size=min_group_size)
    if not decision.allowed:
        raise AccessDenied(viewer, RecordKind(kind), decision.reason)


# -- lists: filter in the query -------------------------------------------------------------------------


def visible_owner_ids(session: Session, viewer: Viewer, kind: RecordKind | str) -> OwnerIds:
    """Ids of the people whose records of `kind` the viewer may see, or `ALL` (every owner in the workspace).

    For kinds that depend on the owner only. Private feedback, 1:1 notes, action items and pulse aggregates
    also depend on the author, the pair or the group size: use `visible_where` for them.
    """
    kind = RecordKind(kind)
    if kind in _NOT_BY_OWNER:
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
    elif kind in (RecordKind.CHECKIN_ANSWER, RecordKind.GOAL_PRIVATE):
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
