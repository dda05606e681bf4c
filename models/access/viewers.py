"""Who is looking (`Viewer`), at what (`RecordKind`, `Subject`), in which roles; the answer (`Decision`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeAlias

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core.tables import Person
from models.people.chart import chain_ids


class RecordKind(StrEnum):
    """Every kind of record Candor holds (or will hold) that somebody might want to see."""

    KUDOS = "kudos"
    PRIVATE_FEEDBACK = "private_feedback"
    MANAGER_FEEDBACK = "manager_feedback"  # feedback about someone, for their managers only
    CHECKIN_ANSWER = "checkin_answer"
    ONE_ON_ONE_NOTE = "one_on_one_note"
    ACTION_ITEM = "action_item"
    GOAL_PUBLIC = "goal_public"
    GOAL_PRIVATE = "goal_private"
    FEEDBACK_360 = "feedback_360"  # the results of a 360 round about someone
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
NOT_BY_OWNER: Final = frozenset(
    {
        RecordKind.PRIVATE_FEEDBACK,
        RecordKind.MANAGER_FEEDBACK,
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
