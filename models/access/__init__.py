"""Who may see what. Every read path asks this package; nothing else decides visibility.

`viewers`: who is looking and at what; `records`: one record (`decide`, `can_see`, `require`); `lists`: the
SQL filter for a list (`visible_where`, `visible_owner_ids`).

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
manager_feedback   - [4]      Y         Y                Y            Y           -         who it is about
checkin_answer     Y          -         Y                Y            Y           -         who answered
one_on_one_note    Y          -         pair mgr [2]     only if [2]  Y           -         the report
action_item        Y          -         pair mgr [2]     only if [2]  Y           -         the report
goal_public        Y          -         Y                Y            Y           Y         whose goal
goal_private       Y          -         Y                Y            Y           -         whose goal
feedback_360       Y [5]      -         Y [5]            Y [5]        Y [5]       -         who it is about
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

[5] The results of a 360 round. Anonymous answers in them are aggregates: `models.feedback.rounds.results`
    shows nothing below the round's minimum of reviewers, to anyone.

[4] Not even when the person it is about is an HR admin or in their own manager chain (a cycle).

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

from models.access.lists import visible_owner_ids, visible_where
from models.access.records import can_see, decide, require
from models.access.viewers import (
    ALL,
    OWNED_KINDS,
    AccessDenied,
    Decision,
    OwnerIds,
    RecordKind,
    Role,
    Subject,
    Viewer,
    has_reports,
    is_manager_of,
    roles,
)

__all__ = [
    "ALL",
    "OWNED_KINDS",
    "AccessDenied",
    "Decision",
    "OwnerIds",
    "RecordKind",
    "Role",
    "Subject",
    "Viewer",
    "can_see",
    "decide",
    "has_reports",
    "is_manager_of",
    "require",
    "roles",
    "visible_owner_ids",
    "visible_where",
]
