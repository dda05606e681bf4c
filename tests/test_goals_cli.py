"""Goals for operators: key results written as text, the CSV import (planned, then applied all or nothing), and
`candor goals list|import` run as an operator would (subprocess), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import Database
from models import goals as g
from models.core.clock import SYSTEM
from models.core.config import GoalsConfig, OrgConfig
from models.core.tables import AuditEntry, Person
from models.goals.importer import GoalImportError, apply_goal_import, digest_of, plan_goal_import
from models.goals.tables import Goal, GoalUpdate
from models.goals.text import format_key_result, parse_key_result
from models.people import ensure_workspace
from tests.conftest import TEAM, make_org
from tests.test_cli import base_env, run

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)  # mid 2026-Q4
TODAY = NOW.date()
HEADER = "key,level,title,owner,department,period,parent,visibility,kr1,kr2,description\n"


def org_with(**goals: object) -> OrgConfig:
    base = make_org()
    return base.model_copy(update={"goals": base.goals.model_copy(update=goals)})


@pytest.fixture
def org() -> OrgConfig:
    return org_with()


# -- key results as text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "title", "kind", "start", "target", "unit"), [
    ("New accounts: 0 -> 20 accounts", "New accounts", "metric", 0, 20, "accounts"),
    ("New accounts: 0 → 20 accounts", "New accounts", "metric", 0, 20, "accounts"),
    ("New accounts: 0 to 20 accounts", "New accounts", "metric", 0, 20, "accounts"),
    ("Churn: 5% -> 3%", "Churn", "metric", 5, 3, "%"),
    ("Revenue: $1,200 to $2,000", "Revenue", "metric", 1200, 2000, "$"),
    ("Latency: 250.5->-1.5 ms", "Latency", "metric", 250.5, -1.5, "ms"),
    ("Q4: revenue: 0 -> 1.5 M€", "Q4: revenue", "metric", 0, 1.5, "M€"),
    ("  Launch   the EU region  ", "Launch the EU region", "milestone", 0, 100, ""),
    ("Launch the EU region: milestone", "Launch the EU region", "milestone", 0, 100, ""),
    ("Hire: two engineers", "Hire: two engineers", "milestone", 0, 100, ""),
    ("Migrate A -> B: milestone", "Migrate A -> B", "milestone", 0, 100, ""),
    ("Migrate: milestone", "Migrate", "milestone", 0, 100, ""),
    ("New accounts 0 => 20", "New accounts", "metric", 0, 20, ""),  # the colon may be left out
    ("Grow users from 10 to 20 users", "Grow users from", "metric", 10, 20, "users"),
    ("NPS: 4,5 -> 6", "NPS", "metric", 4.5, 6, ""),  # a decimal comma
])
def test_a_key_result_line_reads_as_a_metric_or_a_milestone(line, title, kind, start, target, unit):
    kr = parse_key_result(line)
    assert (kr.title, kr.kind, kr.start, kr.target, kr.unit) == (title, kind, start, target, unit)
    again = parse_key_result(format_key_result(kr.title, kr.kind, kr.start, kr.target, kr.unit))
    assert again == kr


@pytest.mark.parametrize(("line", "code"), [
    ("", "empty"),
    ("   ", "empty"),
    ("New accounts: 0 -> twenty", "kr_format"),
    ("Migrate A -> B", "kr_format"),  # reads like a range: a milestone with an arrow says so (": milestone")
    ("Cut costs: 5 ->", "kr_format"),
    (": 0 -> 20 accounts", "kr_no_title"),
    (": milestone", "kr_no_title"),
])
def test_a_key_result_line_candor_cannot_read_is_a_clear_error_on_its_field(line, code):
    with pytest.raises(g.GoalError) as err:
        parse_key_result(line, field="kr_2")
    assert err.value.code == code and err.value.field == "kr_2"
    assert str(err.value)  # an English sentence (a message id the modal translates)


@pytest.mark.parametrize(("line", "kind", "weight"), [
    ("Revenue: 0 -> 50 k€ (weight 2)", "metric", 2.0),
    ("Launch the EU region (Weight: 0,5)", "milestone", 0.5),
    ("Launch the EU region: milestone (weight=3)", "milestone", 3.0),
    ("Hire (two) engineers", "milestone", 1.0),
])
def test_a_key_result_line_may_carry_its_weight(line, kind, weight):
    kr = parse_key_result(line)
    assert (kr.kind, kr.weight) == (kind, weight) and "weight" not in kr.title.lower()
    assert parse_key_result(format_key_result(kr.title, kr.kind, kr.start, kr.target, kr.unit, kr.weight)) == kr


def test_a_large_or_fractional_value_is_written_back_without_an_exponent():
    line = format_key_result("Revenue", "metric", 0, 1234567890, "EUR")
    assert line == "Revenue: 0 -> 1234567890 EUR"
    assert parse_key_result(format_key_result("Share", "metric", 0.1, 0.25, "")).target == 0.25


# -- the import, in the domain -----------------------------------------------------------------------------------


def add_person(session, uid: str, email: str, *, manager: Person | None = None, department: str | None = None,
               **kw) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=uid, real_name=uid[2:].title(), email=email, tz="UTC",
               manager_id=manager.id if manager else None, department=department, **kw)
    session.add(p)
    session.flush()
    return p


@pytest.fixture
def people(session):
    """Ana leads the company (not an HR admin); Cara heads Sales and manages Bob. Gone is deactivated, two active
    accounts share twin@example.com, and there is a bot."""
    ana = add_person(session, "U0ANA", "ana@example.com", department="Leadership")
    cara = add_person(session, "U0CARA", "cara@example.com", manager=ana, department="Sales")
    bob = add_person(session, "U0BOB", "bob@example.com", manager=cara, department="Sales")
    add_person(session, "U0GONE", "gone@example.com", is_deleted=True)
    add_person(session, "U0TWIN1", "twin@example.com")
    add_person(session, "U0TWIN2", "Twin@example.com")
    add_person(session, "U0BUILD", "build@example.com", is_bot=True)
    return {"ana": ana, "cara": cara, "bob": bob}


GOOD = HEADER + (
    'company-1,organisation,Grow revenue in the north,ana@example.com,,,,,New accounts: 0 -> 20 accounts,'
    'Churn: 5% -> 3%,"Our one big bet.\nTwo lines."\n'
    "sales-1,Department,Win the northern accounts,U0CARA,,,company-1,,Signed deals: 0 -> 8 deals,"
    "Launch the partner programme,\n"
    "bob-1,person,Build the northern pipeline,bob@example.com,,2026-Q4,sales-1,private,Meetings: 0 to 30,,\n"
)


def do_import(session, org, text: str, **kw):
    plan = plan_goal_import(session, org, TEAM, text, today=TODAY)
    return plan, apply_goal_import(session, plan, actor="cli:ops", now=NOW, **kw)


def goals_by_title(session) -> dict[str, Goal]:
    return {goal.title: goal for goal in session.scalars(select(Goal))}


def test_an_import_creates_the_goals_top_down_whoever_owns_them(session, org, people):
    """The operator path: an organisation goal owned by a leader who is not an HR admin, a department's owned by
    its head, a person's; aligned as the file says, with key results and a first history entry each."""
    plan, result = do_import(session, org, GOOD)
    assert [r.key for r in plan.new] == ["company-1", "sales-1", "bob-1"] and plan.warnings == ()
    assert plan.summary() == "3 rows: 3 new goals (1 organisation, 1 department, 1 person), 0 already in Candor"
    assert result.as_dict() == {"rows": 3, "created": 3, "already_there": 0}
    made = goals_by_title(session)
    company, sales, bob = (made["Grow revenue in the north"], made["Win the northern accounts"],
                           made["Build the northern pipeline"])
    assert (company.level, company.owner_id, company.department, company.parent_id) == (
        "organisation", people["ana"].id, None, None)
    assert company.description == "Our one big bet.\nTwo lines."
    assert (sales.level, sales.owner_id, sales.department, sales.parent_id) == (
        "department", people["cara"].id, "Sales", company.id)  # the department: the owner's, when left empty
    assert (bob.level, bob.visibility, bob.parent_id) == ("person", "private", sales.id)
    assert {goal.period for goal in made.values()} == {"2026-Q4"}  # the current period, or the one named
    assert (company.starts_on, company.ends_on) == (date(2026, 10, 1), date(2026, 12, 31))
    assert company.slug == "grow-revenue-in-the-north" and company.created_by_id is None
    assert company.source_key == f"import:{digest_of(GOOD)}:company-1"
    assert [(kr.title, kr.kind, kr.start_value, kr.target_value, kr.current_value, kr.unit)
            for kr in company.key_results] == [("New accounts", "metric", 0, 20, 0, "accounts"),
                                               ("Churn", "metric", 5, 3, 5, "%")]
    assert [(kr.title, kr.kind) for kr in sales.key_results][1] == ("Launch the partner programme", "milestone")
    history = session.scalars(select(GoalUpdate).where(GoalUpdate.goal_id == company.id)).all()
    assert [(u.source, u.author_id, u.progress) for u in history] == [("import", None, 0.0)]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "goals.import")).one()
    assert entry.actor == "cli:ops" and entry.team_id == TEAM
    assert entry.details == {"rows": 3, "created": 3, "already_there": 0, "digest": digest_of(GOOD)}
    # The goals are like any other: the owner's goals, the alignment queries, the visibility rules.
    assert [a.id for a in g.ancestors(session, bob.id)] == [sales.id, company.id]
    dev = add_person(session, "U0DEV", "dev@example.com")
    assert not g.can_see_goal(session, g.viewer_of(dev, org), bob)  # private: owner, manager chain, HR
    assert g.can_see_goal(session, g.viewer_of(people["ana"], org), bob)


def test_importing_the_same_file_again_creates_nothing_and_says_so(session, org, people):
    do_import(session, org, GOOD)
    same_in_excel = "\ufeff" + GOOD.replace("\n", "\r\n")  # a byte-order mark and CRLF: the same file
    plan, result = do_import(session, org, same_in_excel)
    assert plan.is_empty and result.created == ()
    assert all(r.existing_from_file for r in plan.rows)
    assert plan.describe()[0] == ('line 2: company-1: imported before from this file as goal #'
                                  f'{plan.rows[0].existing_id} "Grow revenue in the north"; not created again')
    assert session.scalar(select(func.count()).select_from(Goal)) == 3
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1  # nothing new, nothing recorded


def test_a_corrected_file_adds_its_new_lines_and_leaves_the_goals_already_there(session, org, people):
    do_import(session, org, GOOD)
    corrected = GOOD.replace("0 -> 8 deals", "0 -> 10 deals") + (
        "bob-2,person,Shadow three sales calls,U0BOB,,,sales-1,,,,\n")
    plan, result = do_import(session, org, corrected)
    assert [r.key for r in plan.new] == ["bob-2"] and len(result.created) == 1
    assert not plan.rows[1].existing_from_file
    assert plan.describe()[1].startswith("line 4: sales-1: already in Candor as goal #")
    made = goals_by_title(session)
    assert made["Shadow three sales calls"].parent_id == made["Win the northern accounts"].id
    assert [kr.target_value for kr in made["Win the northern accounts"].key_results] == [8, 100]  # unchanged


def test_a_parent_may_be_the_name_of_a_goal_already_in_candor(session, org, people):
    do_import(session, org, GOOD)
    text = HEADER + "bob-3,person,Close two northern deals,U0BOB,,,+win-the-northern-accounts,,,,\n"
    do_import(session, org, text)
    made = goals_by_title(session)
    assert made["Close two northern deals"].parent_id == made["Win the northern accounts"].id


def test_a_closed_parent_is_refused(session, org, people):
    do_import(session, org, GOOD)
    sales = goals_by_title(session)["Win the northern accounts"]
    g.close_goal(session, org, people["cara"], g.CloseDraft(goal_id=sales.id, source_key="close", final_score=0.5),
                 now=NOW)
    text = HEADER + "bob-3,person,Close two deals,U0BOB,,,win-the-northern-accounts,,,,\n"
    with pytest.raises(GoalImportError) as err:
        plan_goal_import(session, org, TEAM, text, today=TODAY)
    assert [str(p) for p in err.value.problems] == [
        f'line 2, parent: goal "win-the-northern-accounts" (#{sales.id}) is closed: align with an active goal']
    # A line of a corrected file that aligns with a closed goal of the first import: refused the same way.
    corrected = GOOD + "bob-3,person,Close two deals,U0BOB,,,sales-1,,,,\n"
    with pytest.raises(GoalImportError) as err:
        plan_goal_import(session, org, TEAM, corrected, today=TODAY)
    assert [str(p) for p in err.value.problems] == [
        f"line 6, parent: sales-1 (line 4) is goal #{sales.id}, which is closed: align with an active goal"]


BAD_LINES = [
    ("k,person,T,nobody@example.com,,,,,,,", "line 2, owner: nobody in the directory is nobody@example.com"),
    ("k,person,T,U0NOBODY,,,,,,,", "line 2, owner: nobody in the directory is U0NOBODY"),
    ("k,person,T,gone@example.com,,,,,,,", "line 2, owner: gone@example.com is deactivated and can't own a goal"),
    ("k,person,T,twin@example.com,,,,,,,",
     "line 2, owner: twin@example.com is ambiguous: 2 people in the directory have this email; use the Slack id"),
    ("k,person,T,U0BUILD,,,,,,,", "line 2, owner: U0BUILD is a bot"),
    ("k,person,T,,,,,,,,", "line 2, owner: the owner is empty: write their Slack id (U…) or email"),
    (",person,T,U0BOB,,,,,,,", "line 2, key: the key is empty: give each line a reference, such as company-1"),
    ("k,team,T,U0BOB,,,,,,,", 'line 2, level: "team" is not a level: write organisation, department or person'),
    ("k,,T,U0BOB,,,,,,,", "line 2, level: the level is empty: write organisation, department or person"),
    ("k,person,,U0BOB,,,,,,,", "line 2, title: This can't be empty."),
    ("k,person," + "x" * 151 + ",U0BOB,,,,,,,", "line 2, title: At most 150 characters (you wrote 151)."),
    ("k,person,T,U0BOB,,,,,,," + "d" * 2001, "line 2, description: At most 2000 characters (you wrote 2001)."),
    ("k,organisation,T,U0ANA,Sales,,,,,,",
     "line 2, department: an organisation goal belongs to no department: leave the cell empty"),
    ("k,department,T,U0GONE2,,,,,,,", "line 2, owner: nobody in the directory is U0GONE2"),
    ("k,person,T,U0BOB,,2026-Q5,,,,,",
     "line 2, period: 2026-Q5 isn't a period: write one like 2026-Q4, 2026-H2 or FY2026."),
    ("k,person,T,U0BOB,,,,secret,,,", 'line 2, visibility: "secret" is not a visibility: write public or private'),
    ("k,person,T,U0BOB,,,nowhere,,,,",
     'line 2, parent: no goal "nowhere": neither a key on an earlier line nor the name of a goal in Candor '
     "(`candor goals list` shows their names)"),
    ("k,person,T,U0BOB,,,k,,,,", "line 2, parent: a goal can't be its own parent"),
    ("k,person,T,U0BOB,,,,,New accounts: 0 -> twenty,,",
     "line 2, kr1: Write a key result as “Title: start -> target unit”, such as “New accounts: 0 -> 20 accounts”, "
     "or just a title for a milestone."),
    ("k,person,T,U0BOB,,,,,,Deals: 3 -> 3,", "line 2, kr2: The target must differ from the start: Deals starts at 3."),
    ("k,person,T\x1b[31m,U0BOB,,,,,,,", "line 2, title: contains a control character (U+001B); remove it"),
]


@pytest.mark.parametrize(("row", "problem"), BAD_LINES)
def test_each_problem_names_its_line_and_column(session, org, people, row, problem):
    with pytest.raises(GoalImportError) as err:
        plan_goal_import(session, org, TEAM, HEADER + row + "\n", today=TODAY)
    assert [str(p) for p in err.value.problems] == [problem]


def test_a_department_goal_needs_a_department(session, org, people):
    ensure_workspace(session, TEAM)
    add_person(session, "U0DEV", "dev@example.com")
    with pytest.raises(GoalImportError) as err:
        plan_goal_import(session, org, TEAM, HEADER + "d,department,Ship it,U0DEV,,,,,,,\n", today=TODAY)
    assert [str(p) for p in err.value.problems] == [
        "line 2, department: name the department: U0DEV has none in the directory"]


def test_too_many_key_results_for_the_configuration(session, people):
    org = org_with(max_key_results=2)
    header = HEADER.strip() + ",kr3\n"
    with pytest.raises(GoalImportError) as err:
        plan_goal_import(session, org, TEAM, header + "k,person,T,U0BOB,,,,,A: 0 -> 1,B,,C\n", today=TODAY)
    assert [str(p) for p in err.value.problems] == [
        "line 2, key results: At most 2 key results per goal: a few that matter say more than many."]


def test_every_bad_line_is_listed_in_order_and_nothing_is_written(session, org, people):
    text = HEADER + (
        "a,organisation,Company goal,ana@example.com,,,,,,,\n"
        "b,person,Fine,U0BOB,,,a,,,,\n"
        "\n"  # blank lines are skipped; line numbers stay the file's own
        "c,person,Broken,nobody@example.com,,,a,,,,\n"
        "a,person,Twice,U0BOB,,,,,,,\n"
    )
    with pytest.raises(GoalImportError) as err:
        plan_goal_import(session, org, TEAM, text, today=TODAY)
    assert [str(p) for p in err.value.problems] == [
        "line 5, owner: nobody in the directory is nobody@example.com",
        'line 6, key: "a" is already the key of line 2',
    ]
    assert str(err.value).splitlines()[0] == "the goals file has 2 problems; nothing was imported"
    assert err.value.message.id == "the goals file has {count} problems; nothing was imported"
    assert session.scalar(select(func.count()).select_from(Goal)) == 0


def test_parents_come_first_and_a_cycle_is_named(session, org, people):
    text = HEADER + (
        "a,person,A,U0BOB,,,b,,,,\n"
        "b,person,B,U0BOB,,,c,,,,\n"
        "c,person,C,U0BOB,,,a,,,,\n"
        "d,person,D,U0BOB,,,e,,,,\n"
        "e,person,E,U0BOB,,,,,,,\n"
    )
    with pytest.raises(GoalImportError) as err:
        plan_goal_import(session, org, TEAM, text, today=TODAY)
    assert [str(p) for p in err.value.problems] == [
        "line 2, parent: parent cycle: a (line 2) → b (line 3) → c (line 4) → a",
        "line 3, parent: parent cycle: b (line 3) → c (line 4) → a (line 2) → b",
        "line 5, parent: e is on a later line (6): put a parent above the goals aligned with it",
    ]


@pytest.mark.parametrize(("text", "problem"), [
    ("", "line 1: the file is empty: expected a header row (key, level, title, owner, description, department, "
         "period, parent, visibility, kr1, kr2, …)"),
    ("key,level,title\n", "line 1: missing required column: owner"),
    ("Key , LEVEL,title,owner\n", "line 1: no data rows: the file has only a header"),
    ("key,level,title,owner,parnet\nk,person,T,U0BOB,x\n",
     'line 1: unknown column "parnet": the columns are key, level, title, owner, description, department, period, '
     "parent, visibility and kr1…kr10"),
    ("key,level,title,owner,title\nk,person,T,U0BOB,T\n", 'line 1: column "title" appears more than once'),
    ('key,level,title,owner\nk,person,"T,U0BOB\n', "line 2: cannot read the CSV: unexpected end of data"),
])
def test_a_file_whose_header_or_quoting_is_wrong(session, org, people, text, problem):
    with pytest.raises(GoalImportError) as err:
        plan_goal_import(session, org, TEAM, text, today=TODAY)
    assert [str(p) for p in err.value.problems] == [problem]


def test_warnings_refuse_nothing(session, people):
    """Over the soft limit of active goals, or a department nobody is in: said, and imported all the same."""
    org = org_with(soft_limit_active=2)
    text = HEADER + (
        "b1,person,One,U0BOB,,,,,,,\n"
        "b2,person,Two,U0BOB,,,,,,,\n"
        "b3,person,Three,U0BOB,,,,,,,\n"
        "eng,department,Ship the platform,U0CARA,Enginering,,,,,,\n"
    )
    plan, result = do_import(session, org, text)
    assert plan.warnings == (
        "line 4: U0BOB will have 3 active goals, more than the soft limit of 2 (goals.soft_limit_active)",
        'line 5: nobody in the directory is in department "Enginering" (yet)',
    )
    assert plan.describe()[-2:] == [f"warning: {w}" for w in plan.warnings]
    assert len(result.created) == 4


def test_the_default_period_follows_the_fiscal_year(session, people):
    org = org_with(fiscal_year_start_month=4)
    do_import(session, org, HEADER + "k,person,T,U0BOB,,,,,,,\nh,person,H,U0BOB,,2026-H2,,,,,\n")
    made = goals_by_title(session)
    assert (made["T"].period, made["T"].starts_on) == ("2026-Q3", date(2026, 10, 1))
    assert (made["H"].period, made["H"].starts_on, made["H"].ends_on) == ("2026-H2", date(2026, 10, 1),
                                                                         date(2027, 3, 31))


# -- the command line, on both databases -------------------------------------------------------------------------


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a `candor` subprocess on the test's database, with the people of `people` above."""
    db = Database(db_url)
    with db.unit_of_work() as s:
        ensure_workspace(s, TEAM, "Candor Test")
        ana = add_person(s, "U0ANA", "ana@example.com", department="Leadership")
        cara = add_person(s, "U0CARA", "cara@example.com", manager=ana, department="Sales")
        add_person(s, "U0BOB", "bob@example.com", manager=cara, department="Sales")
    db.dispose()
    return {**base_env(tmp_path), "DATABASE_URL": db_url}


def current_and_previous() -> tuple[g.Period, g.Period]:
    """The periods the subprocess calls current (it reads the same clock) and the one before."""
    cfg = GoalsConfig()
    now = g.period_containing(cfg, SYSTEM.now().date())
    return now, g.period_containing(cfg, date.fromordinal(now.starts_on.toordinal() - 1))


def goal_count(db_url: str) -> int:
    db = Database(db_url)
    with db.reading() as s:
        n = s.scalar(select(func.count()).select_from(Goal)) or 0
    db.dispose()
    return n


def test_goals_import_dry_run_then_apply_then_again(cli, db_url, tmp_path):
    path = tmp_path / "goals.csv"
    path.write_text(GOOD.replace(",2026-Q4,", ",,"), encoding="utf-8")
    dry = run("goals", "import", str(path), "--dry-run", env=cli).stdout.splitlines()
    assert dry[0].startswith('line 2: company-1: new organisation goal "Grow revenue in the north" (')
    assert dry[1].startswith('line 4: sales-1: new department goal "Win the northern accounts" (Sales, ')
    assert dry[-2:] == ["3 rows: 3 new goals (1 organisation, 1 department, 1 person), 0 already in Candor",
                        "dry run: nothing was changed"]
    assert goal_count(db_url) == 0
    applied = run("goals", "import", str(path), env=cli).stdout
    assert "imported 3 goals; recorded in the audit log (goals.import)" in applied
    assert goal_count(db_url) == 3
    again = run("goals", "import", str(path), env=cli).stdout.splitlines()
    assert again[-1] == "every goal in this file is already in Candor: nothing was imported"
    assert all("imported before from this file" in line for line in again[:3])
    assert goal_count(db_url) == 3
    assert run("audit", "list", "--action", "goals.import", env=cli).stdout.count("goals.import") == 1


def test_goals_import_lists_every_problem_and_exits_non_zero(cli, db_url, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "a,organisation,Company goal,ana@example.com,,,,,,,\n"
                             "b,person,Mine,nobody@example.com,,2026-Q9,a,,,,\n", encoding="utf-8")
    proc = run("goals", "import", str(path), env=cli, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"candor: {path}: nothing was imported:" in proc.stderr
    assert "  line 3, owner: nobody in the directory is nobody@example.com" in proc.stderr
    assert "  line 3, period: 2026-Q9 isn't a period" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert goal_count(db_url) == 0
    missing = run("goals", "import", str(tmp_path / "nope.csv"), env=cli, check=False)
    assert missing.returncode == 2 and "cannot read" in missing.stderr and "Traceback" not in missing.stderr
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + "k,person,Café,U0BOB,,,,,,,\n".encode("latin-1"))
    proc = run("goals", "import", str(latin), env=cli, check=False)
    assert proc.returncode == 2 and "line 2 is not UTF-8 text" in proc.stderr


def test_goals_list_as_a_table_and_as_a_tree(cli, db_url, tmp_path):
    now, before = current_and_previous()
    path = tmp_path / "goals.csv"
    path.write_text(HEADER + (
        f"old,organisation,Last quarter bet,ana@example.com,,{before.key},,,,,\n"
        "company-1,organisation,Grow revenue in the north,ana@example.com,,,,,New accounts: 0 -> 20,,\n"
        "sales-1,department,Win the northern accounts,U0CARA,,,company-1,,,,\n"
        "bob-1,person,Build the northern pipeline,U0BOB,,,sales-1,private,,,\n"
        "bob-2,person,Carry on from last quarter,U0BOB,,,old,,,,\n"
    ), encoding="utf-8")
    run("goals", "import", str(path), env=cli)
    db = Database(db_url)
    with db.unit_of_work() as s:
        ids = {goal.title: goal.id for goal in s.scalars(select(Goal))}
        sales = s.get(Goal, ids["Win the northern accounts"])
        g.update_goal(s, make_org(), sales.owner, g.UpdateDraft(goal_id=sales.id, source_key="u1",
                                                                status="at_risk", progress=0.4))
    db.dispose()

    table = run("goals", "list", env=cli).stdout.splitlines()
    assert table[0].split() == ["ID", "PERIOD", "LEVEL", "OWNER", "DEPARTMENT", "STATUS", "PROGRESS", "PARENT",
                                "NAME", "TITLE"]
    rows = {line.split()[0]: line for line in table[1:-1]}
    assert set(rows) == {str(ids[t]) for t in ("Grow revenue in the north", "Win the northern accounts",
                                               "Build the northern pipeline", "Carry on from last quarter")}
    sales_row = rows[str(ids["Win the northern accounts"])].split()
    assert sales_row[1:8] == [now.key, "department", "Cara", "Sales", "at", "risk", "40%"]  # the owner's status
    assert sales_row[8] == str(ids["Grow revenue in the north"])
    assert rows[str(ids["Build the northern pipeline"])].endswith("Build the northern pipeline")  # private too
    assert "*" in rows[str(ids["Grow revenue in the north"])]  # suggested, marked
    assert table[-1].startswith(f"4 goals in {now.key} ({now.starts_on} to {now.ends_on}); * status suggested")

    tree = run("goals", "list", "--tree", env=cli).stdout.splitlines()
    assert tree[0].startswith(f"#{ids['Grow revenue in the north']} organisation: Grow revenue in the north [")
    assert tree[1].startswith(f"  #{ids['Win the northern accounts']} department Sales: Win the northern accounts "
                              "[at risk, 40%] Cara")
    assert tree[2].startswith(f"    #{ids['Build the northern pipeline']} person: Build the northern pipeline [")
    assert tree[3].startswith(f"#{ids['Carry on from last quarter']} person: Carry on from last quarter [")
    assert tree[3].endswith(f"(aligned with #{ids['Last quarter bet']} last-quarter-bet, {before.key})")

    every = run("goals", "list", "--tree", "--period", "all", env=cli).stdout.splitlines()
    assert every[0] == f"{before.key} ({before.starts_on} to {before.ends_on})"
    assert every[1].startswith(f"  #{ids['Last quarter bet']} organisation: ")
    assert every[2] == f"{now.key} ({now.starts_on} to {now.ends_on})"
    assert every[-1].startswith("5 goals in every period")

    people_only = run("goals", "list", "--level", "person", "--period", now.key, env=cli).stdout.splitlines()
    assert len(people_only) == 4 and all(" person " in line for line in people_only[1:3])
    previous = run("goals", "list", "--period", before.key, env=cli).stdout
    assert "Last quarter bet" in previous and "Grow revenue" not in previous


def test_goals_list_says_what_is_wrong_in_a_sentence(cli):
    bad = run("goals", "list", "--period", "2026-Q5", env=cli, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "candor: 2026-Q5 isn't a period: write one like 2026-Q4, 2026-H2 or FY2026." in bad.stderr
    empty = run("goals", "list", "--period", "1999-Q1", env=cli).stdout
    assert empty == "no goals in 1999-Q1 (1999-01-01 to 1999-03-31); `--period all` lists every period\n"
    wrong_level = run("goals", "list", "--level", "team", env=cli, check=False)
    assert wrong_level.returncode == 2 and "invalid choice: 'team'" in wrong_level.stderr


@pytest.mark.parametrize("args", [["goals"], ["goals", "list"], ["goals", "import"]])
def test_goals_help(args):
    assert "usage: candor goals" in run(*args, "--help").stdout
