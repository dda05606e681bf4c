"""Who sees what: every role × every record kind, on a small real org chart, on SQLite and PostgreSQL.

The org chart (team T0ACME, plus one HR admin of another workspace):

    ceo ─┬─ mgr ─┬─ ana        (the owner of every record below)
         │       └─ peer
         ├─ other ── author    (other: the manager side of Ana's 1:1 with a dotted-line manager)
         ├─ hr                 (HR admin through config `hr.admins`)
         └─ hrflag             (HR admin through `Person.is_hr_admin`)
    gone     deactivated (under ceo), an HR admin both ways: still sees nothing
    erased   erased, in config `hr.admins`: sees nothing
    stranger HR admin of workspace T0OTHER: sees nothing of T0ACME
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Integer, literal, select, true
from sqlalchemy.orm import Session, aliased

from models.access import (
    ALL,
    AccessDenied,
    RecordKind,
    Role,
    Subject,
    Viewer,
    can_see,
    decide,
    is_manager_of,
    require,
    roles,
    visible_owner_ids,
    visible_where,
)
from models.core.tables import Person, Workspace

TEAM, OTHER_TEAM = "T0ACME", "T0OTHER"
HR_ADMINS = frozenset({"U0HR", "U0GONE", "U0ERASED"})

# role name -> the person playing it (None: the operator)
ROLE_PEOPLE = {
    "self": "ana",
    "author": "author",
    "direct_manager": "mgr",
    "skip_level": "ceo",
    "peer": "peer",
    "hr_admin": "hr",
    "hr_flag": "hrflag",
    "operator": None,
    "deactivated": "gone",
    "erased": "erased",
    "pair_manager": "other",
    "other_workspace_hr": "stranger",
}
ROLES = tuple(ROLE_PEOPLE)


@dataclass
class Org:
    session: Session
    people: dict[str, Person] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Person:
        return self.people[key]

    def viewer(self, role: str) -> Viewer:
        who = ROLE_PEOPLE[role]
        return Viewer.operator() if who is None else Viewer.slack(self.people[who], HR_ADMINS)

    def viewers(self) -> list[tuple[str, Viewer]]:
        """Every person in the chart as a Slack viewer, plus the operator and a viewer that is nobody."""
        out = [(key, Viewer.slack(p, HR_ADMINS)) for key, p in self.people.items()]
        return [*out, ("operator", Viewer.operator()), ("nobody", Viewer.slack(None, HR_ADMINS))]


def build_org(session: Session) -> Org:
    session.add_all([Workspace(team_id=TEAM, name="Acme"), Workspace(team_id=OTHER_TEAM, name="Other")])
    session.flush()
    org = Org(session)

    def add(key: str, manager: str | None = None, team: str = TEAM, **kw: Any) -> None:
        p = Person(
            team_id=team,
            slack_user_id=f"U0{key.upper()}",
            name=key,
            real_name=key.title(),
            manager_id=org.people[manager].id if manager else None,
            **kw,
        )
        session.add(p)
        session.flush()
        org.people[key] = p

    add("ceo")
    add("mgr", "ceo")
    add("ana", "mgr")
    add("peer", "mgr")
    add("other", "ceo")
    add("author", "other")
    add("hr", "ceo")
    add("hrflag", "ceo", is_hr_admin=True)
    add("gone", "ceo", is_deleted=True, is_hr_admin=True)
    add("erased", erased_at=datetime(2026, 1, 1, tzinfo=UTC), is_deleted=True)
    add("stranger", team=OTHER_TEAM, is_hr_admin=True)
    return org


@pytest.fixture
def org(session: Session) -> Org:
    return build_org(session)


# ---------------------------------------------------------------------------------------------------
# The table: scenario -> (kind, arguments, the roles that may see it). Every other role may not.
# ---------------------------------------------------------------------------------------------------

EVERYONE_ACTIVE = frozenset(
    {"self", "author", "direct_manager", "skip_level", "peer", "hr_admin", "hr_flag", "operator", "pair_manager"}
)
HR = frozenset({"hr_admin", "hr_flag"})
CHAIN = frozenset({"direct_manager", "skip_level"})

# Arguments name people by key; `owner` defaults to Ana.
SCENARIOS: dict[str, tuple[RecordKind, dict[str, Any], frozenset[str]]] = {
    "kudos": (RecordKind.KUDOS, {}, EVERYONE_ACTIVE),
    "private_feedback": (
        RecordKind.PRIVATE_FEEDBACK,
        {"author": "author"},
        frozenset({"self", "author", "operator"}) | HR,
    ),
    "private_feedback shared with manager": (
        RecordKind.PRIVATE_FEEDBACK,
        {"author": "author", "shared_with_manager": True},
        frozenset({"self", "author", "operator"}) | HR | CHAIN,
    ),
    "manager_feedback": (
        RecordKind.MANAGER_FEEDBACK,
        {"author": "author"},
        frozenset({"author", "operator"}) | HR | CHAIN,  # not the person it is about
    ),
    "checkin_answer": (RecordKind.CHECKIN_ANSWER, {}, frozenset({"self", "operator"}) | HR | CHAIN),
    "one_on_one_note": (
        RecordKind.ONE_ON_ONE_NOTE,
        {"pair_manager": "other"},
        frozenset({"self", "pair_manager", "operator"}),
    ),
    "one_on_one_note, HR sees notes": (
        RecordKind.ONE_ON_ONE_NOTE,
        {"pair_manager": "other", "hr_sees_notes": True},
        frozenset({"self", "pair_manager", "operator"}) | HR,
    ),
    "action_item": (
        RecordKind.ACTION_ITEM,
        {"pair_manager": "other"},
        frozenset({"self", "pair_manager", "operator"}),
    ),
    "action_item, HR sees notes": (
        RecordKind.ACTION_ITEM,
        {"pair_manager": "other", "hr_sees_notes": True},
        frozenset({"self", "pair_manager", "operator"}) | HR,
    ),
    "goal_public": (RecordKind.GOAL_PUBLIC, {}, EVERYONE_ACTIVE),
    "goal_private": (RecordKind.GOAL_PRIVATE, {}, frozenset({"self", "operator"}) | HR | CHAIN),
    "feedback_360": (RecordKind.FEEDBACK_360, {}, frozenset({"self", "operator"}) | HR | CHAIN),
    "pulse_answer": (RecordKind.PULSE_ANSWER, {}, frozenset({"self"})),
    "pulse_aggregate of mgr's team, group at the minimum": (
        RecordKind.PULSE_AGGREGATE,
        {"owner": "mgr", "group_size": 5, "min_group_size": 5},
        frozenset({"operator"}) | HR | CHAIN,
    ),
    "pulse_aggregate of mgr's team, group below the minimum": (
        RecordKind.PULSE_AGGREGATE,
        {"owner": "mgr", "group_size": 4, "min_group_size": 5},
        frozenset(),
    ),
    "personal_export": (RecordKind.PERSONAL_EXPORT, {}, frozenset({"self", "operator"}) | HR),
    "audit_log": (RecordKind.AUDIT_LOG, {"owner": None, "team_id": TEAM}, frozenset({"operator"}) | HR),
    "hr_digest": (RecordKind.HR_DIGEST, {"owner": None, "team_id": TEAM}, frozenset({"operator"}) | HR),
}


def _resolve(org: Org, args: dict[str, Any]) -> dict[str, Any]:
    out = {"owner": "ana", **args}
    for key in ("owner", "author", "pair_manager"):
        if key in out and isinstance(out[key], str):
            out[key] = org[out[key]]
    return out


def test_table_covers_every_kind_and_role():
    assert {kind for kind, _, _ in SCENARIOS.values()} == set(RecordKind)
    for _, _, allowed in SCENARIOS.values():
        assert allowed <= set(ROLES)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_who_sees_what(org: Org, scenario: str):
    kind, args, allowed = SCENARIOS[scenario]
    kwargs = _resolve(org, args)
    wrong = []
    for role in ROLES:
        viewer = org.viewer(role)
        got = can_see(org.session, viewer, kind, **kwargs)
        if got != (role in allowed):
            wrong.append(f"{role}: got {got}, expected {role in allowed}")
        # require() agrees, and says why when it refuses.
        if role in allowed:
            require(org.session, viewer, kind, **kwargs)
        else:
            with pytest.raises(AccessDenied) as denied:
                require(org.session, viewer, kind, **kwargs)
            assert kind.value in str(denied.value) and denied.value.reason
    assert not wrong, f"{scenario}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("minimum", [3, 5, 10])
def test_group_size_threshold_edges(org: Org, minimum: int):
    for size, visible in ((minimum - 1, False), (minimum, True), (minimum + 1, True)):
        for role in ("hr_admin", "operator", "direct_manager", "skip_level"):
            got = can_see(
                org.session,
                org.viewer(role),
                RecordKind.PULSE_AGGREGATE,
                owner=org["mgr"],
                group_size=size,
                min_group_size=minimum,
            )
            assert got is visible, (role, size, minimum)
        for role in ("self", "peer", "pair_manager", "deactivated"):
            assert not can_see(
                org.session,
                org.viewer(role),
                RecordKind.PULSE_AGGREGATE,
                owner=org["mgr"],
                group_size=size,
                min_group_size=minimum,
            )
    # An unknown group size is treated as too small.
    assert not can_see(org.session, Viewer.operator(), RecordKind.PULSE_AGGREGATE, owner=org["mgr"])
    with pytest.raises(AccessDenied, match=f"minimum group size is {minimum}"):
        require(
            org.session,
            org.viewer("hr_admin"),
            RecordKind.PULSE_AGGREGATE,
            owner=org["mgr"],
            group_size=minimum - 1,
            min_group_size=minimum,
        )


def test_one_on_one_with_line_manager_is_not_seen_by_skip_level(org: Org):
    s = org.session
    note: dict[str, Any] = {"owner": org["ana"], "pair_manager": org["mgr"]}
    assert can_see(s, org.viewer("direct_manager"), RecordKind.ONE_ON_ONE_NOTE, **note)
    assert can_see(s, org.viewer("self"), RecordKind.ONE_ON_ONE_NOTE, **note)
    assert not can_see(s, org.viewer("skip_level"), RecordKind.ONE_ON_ONE_NOTE, **note)
    assert not can_see(s, org.viewer("skip_level"), RecordKind.ACTION_ITEM, **note, hr_sees_notes=True)
    assert not can_see(s, org.viewer("hr_admin"), RecordKind.ONE_ON_ONE_NOTE, **note)
    decision = decide(s, org.viewer("skip_level"), RecordKind.ONE_ON_ONE_NOTE, Subject(**note))
    assert not decision and "two people of the 1:1" in decision.reason


def test_hr_admin_by_config_or_flag_and_roles(org: Org):
    s = org.session
    assert roles(s, org.viewer("hr_admin")) == {Role.EMPLOYEE, Role.HR_ADMIN}
    assert roles(s, org.viewer("hr_flag")) == {Role.EMPLOYEE, Role.HR_ADMIN}
    assert roles(s, org.viewer("direct_manager")) == {Role.EMPLOYEE, Role.MANAGER}
    assert roles(s, org.viewer("self")) == {Role.EMPLOYEE}
    assert roles(s, org.viewer("operator")) == {Role.OPERATOR}
    assert roles(s, org.viewer("deactivated")) == frozenset()
    assert roles(s, org.viewer("erased")) == frozenset()
    # Without the config list, U0HR is an ordinary employee.
    assert not Viewer.slack(org["hr"]).is_hr_admin
    assert not can_see(s, Viewer.slack(org["hr"]), RecordKind.AUDIT_LOG, team_id=TEAM)
    assert can_see(s, org.viewer("hr_admin"), RecordKind.AUDIT_LOG, team_id=TEAM)
    # An audit entry of no workspace (a deployment-wide CLI action) is for operators only.
    assert not can_see(s, org.viewer("hr_admin"), RecordKind.AUDIT_LOG)
    assert can_see(s, org.viewer("operator"), RecordKind.AUDIT_LOG)
    assert is_manager_of(s, org["ceo"], org["ana"]) and is_manager_of(s, org["mgr"], org["ana"])
    assert not is_manager_of(s, org["other"], org["ana"]) and not is_manager_of(s, org["ana"], org["ana"])


def test_owner_is_required_for_owned_kinds(org: Org):
    with pytest.raises(ValueError, match="owner"):
        can_see(org.session, org.viewer("hr_admin"), RecordKind.CHECKIN_ANSWER)
    with pytest.raises(ValueError, match="visible_where"):
        visible_owner_ids(org.session, org.viewer("hr_admin"), RecordKind.PRIVATE_FEEDBACK)


def test_a_cycle_in_the_org_chart_ends(org: Org):
    s = org.session
    org["ceo"].manager_id = org["ana"].id  # bad data: ana → mgr → ceo → ana
    s.flush()
    assert is_manager_of(s, org["mgr"], org["ana"])
    assert can_see(s, org.viewer("self"), RecordKind.CHECKIN_ANSWER, owner=org["ceo"])
    assert not can_see(s, org.viewer("pair_manager"), RecordKind.CHECKIN_ANSWER, owner=org["ceo"])
    ids = visible_owner_ids(s, org.viewer("direct_manager"), RecordKind.CHECKIN_ANSWER)
    assert ids != ALL and org["ceo"].id in ids


# ---------------------------------------------------------------------------------------------------
# The list helpers agree with can_see, for every viewer and every possible record in the chart.
# ---------------------------------------------------------------------------------------------------


def test_visible_owner_ids_agrees_with_can_see(org: Org):
    s = org.session
    for kind in RecordKind:
        if kind in (
            RecordKind.PRIVATE_FEEDBACK,
            RecordKind.MANAGER_FEEDBACK,
            RecordKind.ONE_ON_ONE_NOTE,
            RecordKind.ACTION_ITEM,
            RecordKind.PULSE_AGGREGATE,
        ):
            continue
        for name, viewer in org.viewers():
            ids = visible_owner_ids(s, viewer, kind)
            # ALL means "every owner in the viewer's workspace": the caller's query is scoped to it.
            team = viewer.person.team_id if viewer.person is not None else TEAM
            for owner in [p for p in org.people.values() if p.team_id == team]:
                expected = can_see(s, viewer, kind, owner=owner)
                assert (owner.id in ids) == expected, (kind, name, owner.slack_user_id)


# For each kind: which record columns vary (besides the owner), and fixed options.
WHERE_CASES: list[tuple[RecordKind, str | None, dict[str, Any]]] = [
    (RecordKind.KUDOS, None, {}),
    (RecordKind.PRIVATE_FEEDBACK, "author", {"shared_with_manager": False}),
    (RecordKind.PRIVATE_FEEDBACK, "author", {"shared_with_manager": True}),
    (RecordKind.MANAGER_FEEDBACK, "author", {}),
    (RecordKind.CHECKIN_ANSWER, None, {}),
    (RecordKind.ONE_ON_ONE_NOTE, "pair_manager", {"hr_sees_notes": False}),
    (RecordKind.ONE_ON_ONE_NOTE, "pair_manager", {"hr_sees_notes": True}),
    (RecordKind.ACTION_ITEM, "pair_manager", {"hr_sees_notes": False}),
    (RecordKind.ACTION_ITEM, "pair_manager", {"hr_sees_notes": True}),
    (RecordKind.GOAL_PUBLIC, None, {}),
    (RecordKind.GOAL_PRIVATE, None, {}),
    (RecordKind.FEEDBACK_360, None, {}),
    (RecordKind.PULSE_ANSWER, None, {}),
    (RecordKind.PULSE_AGGREGATE, None, {"group_size": 4}),
    (RecordKind.PULSE_AGGREGATE, None, {"group_size": 5}),
    (RecordKind.PULSE_AGGREGATE, None, {"group_size": 6}),
    (RecordKind.PERSONAL_EXPORT, None, {}),
    (RecordKind.AUDIT_LOG, None, {}),
    (RecordKind.HR_DIGEST, None, {}),
]


@pytest.mark.parametrize(
    "kind,second,options",
    WHERE_CASES,
    ids=[f"{k.value}-{'-'.join(f'{a}={b}' for a, b in o.items())}" for k, _, o in WHERE_CASES],
)
def test_visible_where_agrees_with_can_see(org: Org, kind: RecordKind, second: str | None, options: dict[str, Any]):
    """Every (owner[, author or pair manager]) combination over all people, both workspaces, as SQL rows."""
    s = org.session
    owner, other = aliased(Person), aliased(Person)
    by_id = {p.id: p for p in org.people.values()}
    where_opts = dict(options)
    if "group_size" in where_opts:  # also exercise a group size that is a column, not a constant
        where_opts["group_size"] = literal(options["group_size"], Integer)
    for name, viewer in org.viewers():
        cond_kwargs: dict[str, Any] = {"owner_id": owner.id, "team_id": owner.team_id, **where_opts}
        if second:
            cond_kwargs[f"{second}_id"] = other.id
        condition = visible_where(viewer, kind, **cond_kwargs)
        if second:
            got = {tuple(row) for row in s.execute(select(owner.id, other.id).join(other, true()).where(condition))}
        else:
            got = {tuple(row) for row in s.execute(select(owner.id).where(condition))}
        expected: set[tuple[int, ...]] = set()
        for o in org.people.values():
            if second is None:
                if kind in (RecordKind.AUDIT_LOG, RecordKind.HR_DIGEST):
                    visible = can_see(s, viewer, kind, team_id=o.team_id, **options)
                else:
                    visible = can_see(s, viewer, kind, owner=o, **options)
                if visible:
                    expected.add((o.id,))
                continue
            for x in org.people.values():
                extra: dict[str, Any] = {second: x, **options}
                if can_see(s, viewer, kind, owner=o, **extra):
                    expected.add((o.id, x.id))
        assert got == expected, (
            kind,
            name,
            sorted(_names(by_id, r) for r in got - expected),
            sorted(_names(by_id, r) for r in expected - got),
        )


def _names(by_id: dict[int, Person], row: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(by_id[i].slack_user_id for i in row)
