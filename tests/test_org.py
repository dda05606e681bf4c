"""The org chart: CSV import (plan / apply), set_manager, and the chain queries, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from bot.db import Database
from models.core.tables import AuditEntry, Person
from models.people import ensure_workspace
from models.people.chart import MAX_DEPTH, is_in_chain, is_manager, manager_chain, reports
from models.people.org import OrgError, set_manager
from models.people.org_csv import ImportProblem
from models.people.org_import import OrgImportError, apply_import, plan_import
from models.people.org_plan import FieldChange, ManagerChange
from tests.conftest import TEAM

OTHER = "T0OTHER"
ACTOR = "cli:hr"
HEADER = "email,manager_email,department,title,start_date\n"


def add(
    session: Session, uid: str, email: str | None, *, manager: Person | None = None, team: str = TEAM, **fields: object
) -> Person:
    ensure_workspace(session, team)
    name = (email or uid).split("@")[0].capitalize()
    p = Person(team_id=team, slack_user_id=uid, email=email, real_name=name, manager=manager, **fields)
    session.add(p)
    session.flush()
    return p


@pytest.fixture
def org(session: Session) -> dict[str, Person]:
    """ana ← bob ← cara ← dan (ana at the top); eve on her own; a deactivated member, a bot, another team."""
    ana = add(session, "U0ANA", "ana@example.com")
    bob = add(session, "U0BOB", "bob@example.com", manager=ana)
    cara = add(session, "U0CARA", "cara@example.com", manager=bob)
    dan = add(session, "U0DAN", "dan@example.com", manager=cara, title="Engineer")
    eve = add(session, "U0EVE", "eve@example.com")
    gone = add(session, "U0GONE", "gone@example.com", is_deleted=True)
    bot = add(session, "U0BOT", "bot@example.com", is_bot=True)
    zed = add(session, "U0ZED", "zed@example.com", team=OTHER)
    session.commit()
    return {p.slack_user_id: p for p in (ana, bob, cara, dan, eve, gone, bot, zed)}


def chart(db: Database) -> dict[str, tuple[str | None, str | None, str | None, date | None]]:
    """What the database holds (committed), read in a session of its own: email → (manager, dept, title, start)."""
    with db.sessions() as s:
        people = s.scalars(select(Person).where(Person.team_id == TEAM)).all()
        by_id = {p.id: p for p in people}
        return {
            str(p.email): (
                by_id[p.manager_id].email if p.manager_id is not None else None,
                p.department,
                p.title,
                p.start_date,
            )
            for p in people
        }


def audit(db: Database) -> list[tuple[str, str, str | None, dict[str, object]]]:
    with db.sessions() as s:
        return [
            (e.action, e.actor, e.subject, e.details) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


INITIAL = {
    "ana@example.com": (None, None, None, None),
    "bob@example.com": ("ana@example.com", None, None, None),
    "cara@example.com": ("bob@example.com", None, None, None),
    "dan@example.com": ("cara@example.com", None, "Engineer", None),
    "eve@example.com": (None, None, None, None),
    "gone@example.com": (None, None, None, None),
    "bot@example.com": (None, None, None, None),
}


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        # SQLite's transaction start (bot/db.py: the lock wait, then BEGIN) is not a query.
        if not statement.startswith(("BEGIN", "PRAGMA busy_timeout")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def problems_of(session: Session, text: str, **kw: bool) -> list[tuple[int, str]]:
    with pytest.raises(OrgImportError) as info:
        plan_import(session, TEAM, text, **kw)
    return [(p.line, p.message) for p in info.value.problems]


# -- import ----------------------------------------------------------------------------------------


def test_import_plans_then_applies_changes(session, db, org):
    text = (
        "\ufeff Email , MANAGER_EMAIL ,Department, Title ,start_date,Notes\r\n"
        "bob@example.com,ana@example.com,Engineering,Engineer,2021-03-01,ignored\r\n"
        "eve@example.com, bob@example.com ,Sales,,,\r\n"
        "\r\n"
        "Dan@Example.COM,BOB@example.com,,Senior Engineer,2020-01-15,\r\n"
        "cara@example.com,,,,,\r\n"
    )
    plan = plan_import(session, TEAM, text)
    p = org
    assert plan.rows == 4
    assert plan.added == (
        ManagerChange(3, p["U0EVE"].id, "eve@example.com", None, None, p["U0BOB"].id, "bob@example.com"),
    )
    assert plan.moved == (
        ManagerChange(
            5, p["U0DAN"].id, "dan@example.com", p["U0CARA"].id, "cara@example.com", p["U0BOB"].id, "bob@example.com"
        ),
    )
    assert plan.removed == (
        ManagerChange(6, p["U0CARA"].id, "cara@example.com", p["U0BOB"].id, "bob@example.com", None, None),
    )
    assert plan.field_changes == (
        FieldChange(2, p["U0BOB"].id, "bob@example.com", "department", None, "Engineering"),
        FieldChange(2, p["U0BOB"].id, "bob@example.com", "title", None, "Engineer"),
        FieldChange(2, p["U0BOB"].id, "bob@example.com", "start_date", None, date(2021, 3, 1)),
        FieldChange(3, p["U0EVE"].id, "eve@example.com", "department", None, "Sales"),
        FieldChange(5, p["U0DAN"].id, "dan@example.com", "title", "Engineer", "Senior Engineer"),
        FieldChange(5, p["U0DAN"].id, "dan@example.com", "start_date", None, date(2020, 1, 15)),
    )
    assert not plan.is_empty
    assert plan.describe() == [
        'line 2: bob@example.com: department (none) → "Engineering"',
        'line 2: bob@example.com: title (none) → "Engineer"',
        "line 2: bob@example.com: start_date (none) → 2021-03-01",
        "line 3: eve@example.com: manager (none) → bob@example.com",
        'line 3: eve@example.com: department (none) → "Sales"',
        "line 5: dan@example.com: manager cara@example.com → bob@example.com",
        'line 5: dan@example.com: title "Engineer" → "Senior Engineer"',
        "line 5: dan@example.com: start_date (none) → 2020-01-15",
        "line 6: cara@example.com: manager bob@example.com → (none)",
        "4 rows: 1 manager added, 1 moved, 1 removed, 6 field changes (4 people)",
    ]

    result = apply_import(session, plan, actor=ACTOR)
    counts = {
        "rows": 4,
        "managers_added": 1,
        "managers_moved": 1,
        "managers_removed": 1,
        "field_changes": 6,
        "people_changed": 4,
    }
    assert result.as_dict() == counts
    session.commit()
    assert chart(db) == {
        **INITIAL,
        "bob@example.com": ("ana@example.com", "Engineering", "Engineer", date(2021, 3, 1)),
        "eve@example.com": ("bob@example.com", "Sales", None, None),
        "dan@example.com": ("bob@example.com", None, "Senior Engineer", date(2020, 1, 15)),
        "cara@example.com": (None, None, None, None),
    }
    assert audit(db) == [("org.import", ACTOR, None, {**counts, "remove_missing": False})]
    # The session's objects agree with the database (the `manager` relationship follows manager_id).
    assert p["U0DAN"].manager is p["U0BOB"]


def test_dry_run_plans_without_changing_anything(session, db, org):
    plan = plan_import(
        session, TEAM, HEADER + "eve@example.com,dan@example.com,Ops,Lead,2019-05-06\n", remove_missing=True
    )
    assert plan.describe() == [
        "line 2: eve@example.com: manager (none) → dan@example.com",
        'line 2: eve@example.com: department (none) → "Ops"',
        'line 2: eve@example.com: title (none) → "Lead"',
        "line 2: eve@example.com: start_date (none) → 2019-05-06",
        "not in the file: bob@example.com: manager ana@example.com → (none)",
        "not in the file: cara@example.com: manager bob@example.com → (none)",
        "not in the file: dan@example.com: manager cara@example.com → (none)",
        "1 row: 1 manager added, 0 moved, 3 removed, 3 field changes (4 people)",
    ]
    assert not session.new and not session.dirty
    session.commit()  # even a caller that commits after a dry run changes nothing
    assert chart(db) == INITIAL
    assert audit(db) == []


def test_reimport_of_the_same_file_changes_nothing(session, db, org):
    text = HEADER + (
        "bob@example.com,ana@example.com,Engineering,Engineer,2021-03-01\n"
        "eve@example.com,cara@example.com,,,\n"
        "dan@example.com,,,,\n"
    )
    first = apply_import(session, plan_import(session, TEAM, text, remove_missing=True), actor=ACTOR)
    assert first.people_changed == 4  # bob's fields, eve and dan in the file, cara (not in it) loses bob
    session.commit()
    after_first = chart(db)
    assert after_first["eve@example.com"] == ("cara@example.com", None, None, None)
    assert after_first["dan@example.com"] == (None, None, "Engineer", None)  # empty cells keep the title
    assert after_first["cara@example.com"] == (None, None, None, None)

    for remove_missing in (False, True):
        again = plan_import(session, TEAM, text, remove_missing=remove_missing)
        assert again.is_empty, again.describe()
        assert again.describe() == ["3 rows: no changes"]
        result = apply_import(session, again, actor=ACTOR)
        assert result.as_dict() == {
            "rows": 3,
            "managers_added": 0,
            "managers_moved": 0,
            "managers_removed": 0,
            "field_changes": 0,
            "people_changed": 0,
        }
        session.commit()
        assert chart(db) == after_first
    assert [a[0] for a in audit(db)] == ["org.import"]  # only the first import wrote an entry


# Each kind of problem, alone in a file: name → (file, the exact problems).
PROBLEM_CASES: dict[str, tuple[str, list[tuple[int, str]]]] = {
    "empty": (
        "",
        [(1, "the file is empty: expected a header row (email, manager_email, department, title, start_date)")],
    ),
    "bom-and-blank-lines": (
        "\ufeff\n\n",
        [(1, "the file is empty: expected a header row (email, manager_email, department, title, start_date)")],
    ),
    "no-rows": ("email,manager_email\n\n", [(1, "no data rows: the file has only a header")]),
    "missing-column": ("email,department\nbob@example.com,Eng\n", [(1, "missing required column: manager_email")]),
    "missing-columns": (
        "mail,boss\nbob@example.com,ana@example.com\n",
        [(1, "missing required columns: email, manager_email")],
    ),
    "duplicate-column": (
        "email,manager_email,EMAIL\nbob@example.com,,\n",
        [(1, 'column "email" appears more than once')],
    ),
    "unknown-email": (
        HEADER + "bob@example.com,ana@example.com\nnobody@example.com,ana@example.com\n",
        [(3, "unknown email nobody@example.com: no one in this workspace has this email")],
    ),
    "email-of-another-workspace": (
        HEADER + "zed@example.com,\n",
        [(2, "unknown email zed@example.com: no one in this workspace has this email")],
    ),
    "unknown-manager": (
        HEADER + "bob@example.com,boss@example.com\n",
        [(2, "unknown manager boss@example.com: no one in this workspace has this email")],
    ),
    "deactivated-person": (
        HEADER + "bob@example.com,ana@example.com\ngone@example.com,ana@example.com\n",
        [(3, "gone@example.com is deactivated")],
    ),
    "deactivated-manager": (
        HEADER + "bob@example.com,gone@example.com\n",
        [(2, "manager gone@example.com is deactivated")],
    ),
    "bot": (
        HEADER + "bob@example.com,bot@example.com\nbot@example.com,\n",
        [(2, "manager bot@example.com is a bot"), (3, "bot@example.com is a bot")],
    ),
    "bad-dates": (
        HEADER + "bob@example.com,ana@example.com,,,2021-02-30\n"
        "cara@example.com,bob@example.com,,,01/02/2021\n"
        "dan@example.com,cara@example.com,,,20210101\n",
        [
            (2, 'bad start_date "2021-02-30": expected a date as YYYY-MM-DD'),
            (3, 'bad start_date "01/02/2021": expected a date as YYYY-MM-DD'),
            (4, 'bad start_date "20210101": expected a date as YYYY-MM-DD'),
        ],
    ),
    "duplicate-row": (
        HEADER + "bob@example.com,ana@example.com\ncara@example.com,bob@example.com\nBOB@example.com,ana@example.com\n",
        [(4, "duplicate row for bob@example.com: lines 2 and 4")],
    ),
    "own-manager": (HEADER + "eve@example.com,EVE@example.com\n", [(2, "eve@example.com is their own manager")]),
    "cycle-in-file": (
        HEADER + "eve@example.com,ana@example.com\nana@example.com,eve@example.com\n",
        [(2, "manager cycle: eve@example.com (line 2) → ana@example.com (line 3) → eve@example.com")],
    ),
    "empty-email": (HEADER + ",ana@example.com\n", [(2, "email is empty")]),
    "too-long": (HEADER + "eve@example.com,," + "x" * 201 + "\n", [(2, "department is longer than 200 characters")]),
    "line-numbers-count-quoted-newlines": (  # the sixth cell is in no column: never stored, never checked
        HEADER + 'eve@example.com,ana@example.com,,,,"a note\nover two lines"\nnobody@example.com,\n',
        [(4, "unknown email nobody@example.com: no one in this workspace has this email")],
    ),
    # Control characters would reach terminals (`candor people show`) and Slack as they are: refused.
    "escape-sequence-in-title": (
        HEADER + "eve@example.com,ana@example.com,,Engineer\x1b[2J,\n",
        [(2, "title contains a control character (U+001B); remove it")],
    ),
    "bidi-override-in-department": (
        HEADER + "eve@example.com,,Sales\u202eselaS,,\n",
        [(2, "department contains a control character (U+202E); remove it")],
    ),
    "bidi-isolate-in-department": (
        HEADER + "eve@example.com,,\u2066Sales\u2069,,\n",
        [(2, "department contains a control character (U+2066); remove it")],
    ),
    "tab-inside-title": (
        HEADER + "eve@example.com,,,Head\tof Sales,\n",
        [(2, "title contains a control character (U+0009); remove it")],
    ),
    "newline-inside-title": (
        HEADER + 'eve@example.com,,,"Head of\nSales",\nnobody@example.com,\n',
        [
            (2, "title contains a control character (U+000A); remove it"),
            (4, "unknown email nobody@example.com: no one in this workspace has this email"),
        ],
    ),
    "c1-and-delete-in-title": (
        HEADER + "eve@example.com,,,Head\x85of\x7f,\n",
        [(2, "title contains a control character (U+0085); remove it")],
    ),
    "escape-in-email": (  # reported once: not also as an unknown email, which would echo it
        HEADER + "eve\x1b[2J@example.com,ana@example.com,,,\n",
        [(2, "email contains a control character (U+001B); remove it")],
    ),
    "bidi-override-in-manager-email": (
        HEADER + "eve@example.com,\u202eana@example.com,,,\n",
        [(2, "manager_email contains a control character (U+202E); remove it")],
    ),
    "unclosed-quote": (
        HEADER + 'eve@example.com,ana@example.com\nbob@example.com,"ana@example.com\n',
        [(3, "cannot read the CSV: unexpected end of data")],
    ),
}


def test_each_problem_is_reported_with_its_line(session, db, org):
    reported = {name: problems_of(session, text) for name, (text, _expected) in PROBLEM_CASES.items()}
    assert reported == {name: expected for name, (_text, expected) in PROBLEM_CASES.items()}
    session.commit()
    assert chart(db) == INITIAL
    assert audit(db) == []


def test_all_problems_are_reported_together_and_nothing_is_applied(session, db, org):
    text = HEADER + (
        "eve@example.com,ana@example.com,Sales,,\n"  # fine on its own
        "nobody@example.com,ana@example.com,,,\n"
        "dan@example.com,ghost@example.com,,,1999-13-01\n"
        "bob@example.com,cara@example.com,,,\n"  # bob → cara → bob
        "eve@example.com,bob@example.com,,,\n"
        "gone@example.com,dan@example.com,,,\n"
    )
    assert problems_of(session, text) == [
        (3, "unknown email nobody@example.com: no one in this workspace has this email"),
        (4, 'bad start_date "1999-13-01": expected a date as YYYY-MM-DD'),
        (4, "unknown manager ghost@example.com: no one in this workspace has this email"),
        (
            5,
            "manager cycle: bob@example.com (line 5) → cara@example.com (not in the file: keeps their current "
            "manager) → bob@example.com",
        ),
        (6, "duplicate row for eve@example.com: lines 2 and 6"),
        (7, "gone@example.com is deactivated"),
    ]
    session.commit()
    assert chart(db) == INITIAL
    assert audit(db) == []


def test_a_cycle_through_people_outside_the_file_is_refused(session, db, org):
    text = HEADER + "eve@example.com,,,,\nana@example.com,dan@example.com,,,\n"
    assert problems_of(session, text) == [
        (
            3,
            "manager cycle: ana@example.com (line 3) → dan@example.com (not in the file: keeps their current "
            "manager) → cara@example.com (not in the file: keeps their current manager) → bob@example.com (not in "
            "the file: keeps their current manager) → ana@example.com",
        ),
    ]
    # With remove_missing the others lose their managers, so the same file makes no cycle.
    plan = plan_import(session, TEAM, text, remove_missing=True)
    assert [c.email for c in plan.added] == ["ana@example.com"]
    assert [c.email for c in plan.removed] == ["bob@example.com", "cara@example.com", "dan@example.com"]


def test_remove_missing_takes_managers_from_people_not_in_the_file(session, db, org):
    text = HEADER + "bob@example.com,ana@example.com,,,\neve@example.com,bob@example.com,,,\n"
    incremental = plan_import(session, TEAM, text)
    assert incremental.describe() == [
        "line 3: eve@example.com: manager (none) → bob@example.com",
        "2 rows: 1 manager added, 0 moved, 0 removed, 0 field changes (1 person)",
    ]
    plan = plan_import(session, TEAM, text, remove_missing=True)
    assert [(c.line, c.email, c.before, c.after, c.kind) for c in plan.removed] == [
        (None, "cara@example.com", "bob@example.com", None, "removed"),
        (None, "dan@example.com", "cara@example.com", None, "removed"),
    ]
    result = apply_import(session, plan, actor=ACTOR)
    assert (result.managers_added, result.managers_removed) == (1, 2)
    session.commit()
    assert chart(db) == {
        **INITIAL,
        "eve@example.com": ("bob@example.com", None, None, None),
        "cara@example.com": (None, None, None, None),
        "dan@example.com": (None, None, "Engineer", None),
    }
    assert audit(db)[0][3]["remove_missing"] is True
    assert audit(db)[0][3]["managers_removed"] == 2


def test_a_stale_plan_is_refused(session, db, org):
    plan = plan_import(session, TEAM, HEADER + "eve@example.com,ana@example.com,,,\n")
    org["U0ANA"].is_deleted = True  # ana left between the dry run and the real run
    session.flush()
    with pytest.raises(OrgError, match="changed after this import was planned"):
        apply_import(session, plan, actor=ACTOR)
    assert org["U0EVE"].manager_id is None


def test_email_shared_with_a_deactivated_account_picks_the_active_one(session, db, org):
    add(session, "U0BOB2", "bob@example.com", is_deleted=True)  # Bob's old account
    plan = plan_import(session, TEAM, HEADER + "eve@example.com,bob@example.com,,,\n")
    assert plan.added[0].after_id == org["U0BOB"].id
    add(session, "U0BOB3", "bob@example.com")  # two active accounts: the file cannot say which
    assert problems_of(session, HEADER + "eve@example.com,bob@example.com,,,\n") == [
        (2, "manager bob@example.com is ambiguous: 2 people in this workspace have this email"),
    ]


def test_problems_message_lists_every_problem_sorted():
    error = OrgImportError([ImportProblem(3, "b"), ImportProblem(2, "a")])
    assert [p.line for p in error.problems] == [2, 3]
    assert str(error) == "the import file has 2 problems; nothing was changed\nline 2: a\nline 3: b"


def test_ten_thousand_rows_plan_in_two_queries(session, db):
    ensure_workspace(session, TEAM)
    n = 10_000
    now = datetime.now(UTC)
    session.execute(  # Core executemany with every column given: the fastest way in on both databases
        insert(Person.metadata.tables["people"]),
        [
            {
                "team_id": TEAM,
                "slack_user_id": f"U{i:06d}",
                "email": f"p{i}@example.com",
                "name": "",
                "real_name": "",
                "display_name": "",
                "is_bot": False,
                "is_deleted": False,
                "is_hr_admin": False,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(n)
        ],
    )
    session.commit()
    # A tree ten wide: p0 at the top, p(i) reports to p((i-1)//10).
    text = HEADER + "".join(
        f"p{i}@example.com,{f'p{(i - 1) // 10}@example.com' if i else ''},Dept {i % 7},,2020-01-01\n" for i in range(n)
    )
    with counting(db) as statements:  # the statement count is the guard here; `make bench` times it
        plan = plan_import(session, TEAM, text)
    assert len(statements) == 2, statements  # the org lock and one load of everyone
    assert (len(plan.added), len(plan.field_changes)) == (n - 1, 2 * n)

    with counting(db) as statements:
        result = apply_import(session, plan, actor=ACTOR)
    assert result.people_changed == n
    # The lock, one load, the UPDATE as one executemany per set of changed columns, the audit entry.
    assert len(statements) <= 6, statements
    session.commit()
    bottom = session.scalars(select(Person).where(Person.email == f"p{n - 1}@example.com")).one()
    assert [p.email for p in manager_chain(session, bottom)] == [
        "p999@example.com",
        "p99@example.com",
        "p9@example.com",
        "p0@example.com",
    ]


# -- set_manager -----------------------------------------------------------------------------------


def test_set_manager_changes_and_audits(session, db, org):
    eve, bob, cara = org["U0EVE"], org["U0BOB"], org["U0CARA"]
    set_manager(session, TEAM, eve, bob, actor="slack:U0HR")
    set_manager(session, TEAM, eve, cara, actor="slack:U0HR")
    set_manager(session, TEAM, eve, cara, actor="slack:U0HR")  # no change: nothing recorded
    session.commit()
    assert chart(db)["eve@example.com"][0] == "cara@example.com"
    assert eve.manager is cara
    set_manager(session, TEAM, eve, None, actor=ACTOR)
    session.commit()
    assert chart(db)["eve@example.com"][0] is None
    assert audit(db) == [
        ("org.set_manager", "slack:U0HR", "U0EVE", {"from": None, "to": "U0BOB"}),
        ("org.set_manager", "slack:U0HR", "U0EVE", {"from": "U0BOB", "to": "U0CARA"}),
        ("org.set_manager", ACTOR, "U0EVE", {"from": "U0CARA", "to": None}),
    ]


# who, new manager → the refusal.
REFUSALS = [
    ("U0EVE", "U0EVE", "Eve cannot be their own manager"),
    ("U0ANA", "U0DAN", "Dan cannot be the manager of Ana: Ana is above them in the chart (Dan → Cara → Bob → Ana)"),
    ("U0BOB", "U0CARA", "Cara cannot be the manager of Bob: Bob is above them in the chart (Cara → Bob)"),
    ("U0EVE", "U0GONE", "Gone is deactivated and cannot be a manager"),
    ("U0EVE", "U0BOT", "Bot is a bot and cannot be a manager"),
    ("U0GONE", "U0EVE", "Gone is deactivated: only removing their manager is allowed"),
    ("U0EVE", "U0ZED", "Zed is not in this workspace"),
    ("U0ZED", "U0EVE", "Zed is not in this workspace"),
]


def test_set_manager_refuses(session, db, org):
    refused = []
    for who, manager, _message in REFUSALS:
        with pytest.raises(OrgError) as info:
            set_manager(session, TEAM, org[who], org[manager], actor=ACTOR)
        refused.append((who, manager, info.value.message))
    assert refused == REFUSALS
    session.commit()
    assert chart(db) == INITIAL
    assert audit(db) == []


def test_set_manager_may_clear_a_deactivated_persons_manager(session, db, org):
    dan = org["U0DAN"]
    dan.is_deleted = True
    set_manager(session, TEAM, dan, None, actor=ACTOR)
    session.commit()
    assert chart(db)["dan@example.com"][0] is None


def test_concurrent_set_manager_cannot_make_a_cycle(db, org):
    """eve → ana in one transaction while another tries ana → eve: the second waits, then sees the cycle."""
    first, second = db.sessions(), db.sessions()
    outcome: list[object] = []
    try:
        set_manager(first, TEAM, first.get(Person, org["U0EVE"].id), first.get(Person, org["U0ANA"].id), actor=ACTOR)

        def other() -> None:
            try:
                set_manager(
                    second, TEAM, second.get(Person, org["U0ANA"].id), second.get(Person, org["U0EVE"].id), actor=ACTOR
                )
                outcome.append("set")
            except OrgError as exc:
                outcome.append(exc.message)
                second.rollback()

        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.3)
        assert outcome == []  # waiting for the first transaction's org lock
        first.commit()
        thread.join(10)
        assert outcome == ["Eve cannot be the manager of Ana: Ana is above them in the chart (Eve → Ana)"]
    finally:
        first.close()
        second.close()
    assert chart(db)["eve@example.com"][0] == "ana@example.com"
    assert chart(db)["ana@example.com"][0] is None


# -- queries ---------------------------------------------------------------------------------------


def test_chain_and_reports(session, org):
    ana, bob, cara, dan, eve = (org[u] for u in ("U0ANA", "U0BOB", "U0CARA", "U0DAN", "U0EVE"))
    fay = add(session, "U0FAY", "fay@example.com", manager=bob)
    assert manager_chain(session, dan) == [cara, bob, ana]
    assert manager_chain(session, fay) == [bob, ana]
    assert manager_chain(session, ana) == []
    assert reports(session, ana) == [bob]
    assert reports(session, bob) == [cara, fay]
    assert reports(session, ana, recursive=True) == [bob, cara, fay, dan]
    assert reports(session, bob, recursive=True) == [cara, fay, dan]
    assert reports(session, dan, recursive=True) == []
    assert [is_manager(session, p) for p in (ana, bob, cara, dan, eve)] == [True, True, True, False, False]
    assert is_in_chain(session, ana, dan) and is_in_chain(session, cara, dan) and is_in_chain(session, bob, fay)
    assert not is_in_chain(session, dan, ana)
    assert not is_in_chain(session, cara, fay)
    assert not is_in_chain(session, dan, dan)
    assert not is_in_chain(session, eve, dan)

    dan.is_deleted = True  # a manager whose only report left is not a manager any more
    session.flush()
    assert not is_manager(session, cara)
    assert reports(session, bob, recursive=True, active_only=True) == [cara, fay]
    assert reports(session, cara) == [dan]  # still in the chart until someone clears it


def test_chain_is_one_query_whatever_the_depth(session, db, org):
    people = [org["U0DAN"]]
    for i in range(12):
        people.append(add(session, f"U0DEEP{i}", f"deep{i}@example.com", manager=people[-1]))
    session.commit()
    for person, depth in ((org["U0DAN"], 3), (people[-1], 15)):
        with counting(db) as statements:
            chain = manager_chain(session, person)
        assert len(chain) == depth
        assert len(statements) == 1
    with counting(db) as statements:
        subtree = reports(session, org["U0ANA"], recursive=True)
        above = is_in_chain(session, org["U0ANA"], people[-1])
    assert len(subtree) == 15 and above
    assert len(statements) == 2


def test_queries_survive_a_corrupt_cycle(session, org):
    a = add(session, "U0A", "a@example.com")
    b = add(session, "U0B", "b@example.com", manager=a)
    c = add(session, "U0C", "c@example.com", manager=b)
    a.manager = c  # written behind the module's back: a → c → b → a
    session.flush()
    assert manager_chain(session, a) == [c, b]
    assert manager_chain(session, b) == [a, c]
    assert reports(session, a, recursive=True) == [b, c]
    assert is_in_chain(session, c, a) and is_in_chain(session, a, c)
    assert MAX_DEPTH >= 50
