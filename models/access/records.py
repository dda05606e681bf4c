"""One record: may this viewer see it? The policy table is in `models.access`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.access.viewers import OWNED_KINDS, AccessDenied, Decision, RecordKind, Subject, Viewer
from models.core.tables import Person
from models.people.chart import chain_ids


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

    if kind is RecordKind.MANAGER_FEEDBACK:
        if subject.author is not None and subject.author.id == me.id:
            return _yes("the viewer wrote it")
        if is_owner:
            return _no("feedback for managers only is not shown to the person it is about")
        if hr:
            return _yes("HR admin")
        if in_chain():
            return _yes("the author wrote it for the person's managers")
        return _no("feedback for managers only is seen by its author, the person's managers and HR admins")

    if kind in (RecordKind.CHECKIN_ANSWER, RecordKind.GOAL_PRIVATE, RecordKind.FEEDBACK_360):
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
