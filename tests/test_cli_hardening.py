"""The `candor` command line against hostile data and broken databases, run as an operator would (subprocess).

- Names, emails, titles, audit details: whatever came from Slack or a CSV reaches the terminal with its control
  characters escaped, so no escape sequence or bidirectional override ever runs there.
- A database that cannot be reached, was never migrated, or is at another revision: every command says what is
  wrong and what to run, exits with status 2, never shows a traceback and never shows a password.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.db import Database
from models.core.audit import record
from models.core.tables import Alert, Person
from models.people import ensure_workspace
from tests.test_cli import base_env, run

TEAM = "T0CANDOR"
# What must never reach a terminal raw: C0/C1 controls and DEL (newlines end output lines, so they are
# allowed here; tests below check that a newline in data is escaped), and the bidirectional overrides/isolates.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_nothing_raw(proc: subprocess.CompletedProcess[str]) -> None:
    out = proc.stdout + proc.stderr
    found = RAW.search(out)
    assert found is None, f"raw U+{ord(found[0]):04X} in the output:\n{out!r}"


# -- control characters ------------------------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path) -> dict[str, str]:
    """A workspace whose data came from Slack with escape sequences and bidi overrides in it."""
    env = base_env(tmp_path)
    db = Database(env["DATABASE_URL"])
    db.upgrade()
    with db.unit_of_work() as s:
        ensure_workspace(s, TEAM, "Candor Test")
        eve = Person(team_id=TEAM, slack_user_id="U0EVE", real_name="Eve\x1b[2J", display_name="Eve\u202eevil",
                     email="eve\x1b]0;owned\x07@example.com", tz="Europe/Lisbon\x9b2J", department="Sales\x1b[31m",
                     title="Boss\u2066\nline two")
        s.add(eve)
        s.flush()
        ana = Person(team_id=TEAM, slack_user_id="U0ANA", real_name="Ana Silva", email="ana@example.com",
                     manager_id=eve.id, title="Old\x1b[5m")
        s.add(ana)
        s.flush()
        s.add(Alert(team_id=TEAM, kind="checkin.missed", subject=f"person:{eve.id}", period="2026-W50",
                    person_id=eve.id, details={"note": "a\u202eb", "c1": "\x9b2J"}))
        record(s, actor="cli:\x1b[2Jmallory", action="role.hr_admin.grant", team_id=TEAM, subject="U0EVE\u202e",
               details={"why": "x\u2067y", "esc": "\x1b[2J"})
    db.dispose()
    return env


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["people", "list"], ["Eve\\u202eevil", "eve\\u001b]0;owned\\u0007@", "Sales\\u001b[31m"]),
        (["people", "show", "U0EVE"],
         ["Eve\\u001b[2J", "Eve\\u202eevil", "Europe/Lisbon\\u009b2J", "Boss\\u2066\\u000aline two"]),
        (["people", "show", "ana@example.com"], ["Manager chain:         Eve\\u202eevil", "Old\\u001b[5m"]),
        (["alerts", "list"], ["Eve\\u202eevil", "a\\u202eb", "\\u009b2J"]),
        (["audit", "list"], ["cli:\\u001b[2Jmallory", "U0EVE\\u202e", "x\\u2067y", "\\u001b[2J"]),
    ],
)
def test_data_is_escaped_in_every_listing(hostile, args, shown):
    proc = run(*args, env=hostile)
    assert_nothing_raw(proc)
    for part in shown:
        assert part in proc.stdout, (part, proc.stdout)


def test_org_import_lines_escape_what_the_database_holds(hostile, tmp_path):
    """The dry-run and applied lines show current values (Eve's email, Ana's old title) escaped."""
    csv = tmp_path / "people.csv"
    csv.write_text("email,manager_email,title\nana@example.com,,New\n", encoding="utf-8")
    for extra in (["--dry-run"], []):
        proc = run("org", "import", str(csv), *extra, env=hostile)
        assert_nothing_raw(proc)
        assert "manager eve\\u001b]0;owned\\u0007@example.com → (none)" in proc.stdout
        assert 'title "Old\\u001b[5m" → "New"' in proc.stdout
    db = Database(hostile["DATABASE_URL"])
    with db.unit_of_work() as s:
        ana = s.query(Person).filter_by(slack_user_id="U0ANA").one()
        assert (ana.manager_id, ana.title) == (None, "New")
    db.dispose()


def test_org_import_refuses_control_characters_and_stores_nothing(hostile, tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("email,manager_email,department,title\n"
                   "ana@example.com,,Engineering,Engineer\n"
                   "ana@example.com\u202e,,,\n"
                   "ana@example.com,,Sales,\x1b[2JBoss\n", encoding="utf-8")
    proc = run("org", "import", str(csv), env=hostile, check=False)
    assert proc.returncode == 2, proc.stderr
    assert_nothing_raw(proc)
    assert "line 3: email contains a control character (U+202E); remove it" in proc.stderr
    assert "line 4: title contains a control character (U+001B); remove it" in proc.stderr
    db = Database(hostile["DATABASE_URL"])
    with db.unit_of_work() as s:
        ana = s.query(Person).filter_by(slack_user_id="U0ANA").one()
        assert (ana.department, ana.title) == (None, "Old\x1b[5m")
    db.dispose()


# -- broken databases ---------------------------------------------------------------------------------

SLACK = {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_APP_TOKEN": "xapp-test-token",
         "SLACK_API_URL": "http://127.0.0.1:1/api/"}
# Every command that reads or writes the database; (arguments, extra environment).
DB_COMMANDS: dict[str, tuple[list[str], dict[str, str]]] = {
    "outbox status": (["outbox", "status"], {}),
    "outbox retry": (["outbox", "retry", "--dead"], {}),
    "people list": (["people", "list"], {}),
    "people show": (["people", "show", "U0ANA"], {}),
    "people export": (["people", "export", "U0ANA"], {}),
    "people erase": (["people", "erase", "U0ANA", "--yes"], {}),
    "people sync": (["people", "sync"], SLACK),
    "audit list": (["audit", "list"], {}),
    "alerts list": (["alerts", "list"], {}),
    "org import": (["org", "import", "{csv}"], {}),
    "hr grant": (["hr", "grant", "U0ANA"], {}),
    "jobs run": (["jobs", "run", "outbox_send"], SLACK),
    "db check": (["db", "check"], {}),
}
# `candor db upgrade` makes a never-migrated database usable, so it is only in the other cases.
WITH_UPGRADE = {**DB_COMMANDS, "db upgrade": (["db", "upgrade"], {})}
SOME_COMMANDS = ["outbox status", "people show", "jobs run", "db check"]


def run_broken(name: str, url: str, tmp_path: Path) -> tuple[str, int]:
    """Run one command against `url`; the output (stdout and stderr) and the exit status."""
    args, extra = WITH_UPGRADE[name]
    csv = tmp_path / "people.csv"
    csv.write_text("email,manager_email\nana@example.com,\n", encoding="utf-8")
    env = {**base_env(tmp_path), **extra, "DATABASE_URL": url}
    proc = run(*[a.format(csv=csv) for a in args], env=env, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout + proc.stderr, proc.returncode


def tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


@pytest.mark.parametrize("name", DB_COMMANDS)
def test_never_migrated_database(tmp_path, name):
    path = tmp_path / "empty.db"
    path.touch()
    out, status = run_broken(name, f"sqlite:///{path}", tmp_path)
    assert status == 2, out
    assert (f"candor: the database at sqlite:///{path} has no Candor tables yet (it was never migrated): "
            "run `candor db upgrade`") in out
    assert tables(path) == [], "a command other than `candor db upgrade` must not create tables"


@pytest.mark.parametrize("name", WITH_UPGRADE)
def test_unreachable_postgres(tmp_path, name):
    out, status = run_broken(name, "postgresql://nobody:hunter2@127.0.0.1:1/x?sslpassword=s3cret", tmp_path)
    assert status == 2, out
    assert ("candor: cannot reach the database at postgresql+psycopg://nobody:***@127.0.0.1:1/x?sslpassword=***: "
            in out), out
    assert "Connection refused" in out and "check DATABASE_URL" in out
    assert "hunter2" not in out and "s3cret" not in out


@pytest.mark.parametrize("name", [*SOME_COMMANDS, "db upgrade"])
def test_sqlite_file_in_a_missing_directory(tmp_path, name):
    path = tmp_path / "no" / "such" / "candor.db"
    out, status = run_broken(name, f"sqlite:///{path}", tmp_path)
    assert status == 2, out
    assert f"candor: cannot reach the database at sqlite:///{path}: the directory {path.parent} does not exist; " \
           "check DATABASE_URL" in out
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("name", SOME_COMMANDS)
def test_missing_sqlite_file_is_not_created(tmp_path, name):
    path = tmp_path / "typo.db"
    out, status = run_broken(name, f"sqlite:///{path}", tmp_path)
    assert status == 2, out
    assert (f"candor: there is no database at sqlite:///{path} (no such file): run `candor db upgrade` to create "
            "it, or check DATABASE_URL") in out
    assert not path.exists()


def _at_revision(path: Path, revision: str | None) -> str:
    """A SQLite file migrated to the base revision, then labelled `revision` (None: left at the base)."""
    url = f"sqlite:///{path}"
    db = Database(url)
    with db.engine.begin() as conn:
        cfg = db.alembic_config()
        cfg.attributes["connection"] = conn
        base = ScriptDirectory.from_config(cfg).get_base()
        assert base is not None
        command.upgrade(cfg, base)
        if revision is not None:
            conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    db.dispose()
    return base if revision is None else revision


@pytest.mark.parametrize("name", SOME_COMMANDS)
def test_database_at_an_older_revision(tmp_path, name):
    path = tmp_path / "old.db"
    base = _at_revision(path, None)
    head = Database(f"sqlite:///{path}").head_revision()
    out, status = run_broken(name, f"sqlite:///{path}", tmp_path)
    assert status == 2, out
    assert (f"candor: the database at sqlite:///{path} is at revision {base}, older than this version of Candor "
            f"needs ({head}): run `candor db upgrade`") in out


@pytest.mark.parametrize("name", [*SOME_COMMANDS, "db upgrade"])
def test_database_at_an_unknown_revision(tmp_path, name):
    path = tmp_path / "newer.db"
    _at_revision(path, "ffffffffffff")
    out, status = run_broken(name, f"sqlite:///{path}", tmp_path)
    assert status == 2, out
    assert (f"candor: the database at sqlite:///{path} is at revision ffffffffffff, which this version of Candor "
            "does not know (did a newer release migrate it?)") in out


@pytest.mark.parametrize("name", SOME_COMMANDS)
def test_tables_without_a_revision(tmp_path, name):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    out, status = run_broken(name, f"sqlite:///{path}", tmp_path)
    assert status == 2, out
    assert f"candor: the database at sqlite:///{path} has tables but no Candor schema revision" in out
    assert tables(path) == ["invoices"]


@pytest.mark.parametrize("name", [*SOME_COMMANDS, "db upgrade"])
def test_database_url_that_cannot_be_parsed(tmp_path, name):
    out, status = run_broken(name, "postgresql://candor:hunter2@db:notaport/candor", tmp_path)
    assert status == 2, out
    assert "candor: DATABASE_URL cannot be read as a database URL" in out and "check DATABASE_URL" in out
    assert "hunter2" not in out


def test_upgrade_still_creates_a_database_then_every_command_works(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    env = {**base_env(tmp_path), "DATABASE_URL": f"sqlite:///{path}"}
    assert run("outbox", "status", env=env, check=False).returncode == 2
    assert "(head)" in run("db", "upgrade", env=env).stdout
    assert "outbox is empty" in run("outbox", "status", env=env).stdout
    assert "the audit log is empty" in run("audit", "list", env=env).stdout
    fresh = {**base_env(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/new.db"}
    assert "(head)" in run("db", "upgrade", env=fresh).stdout  # a file that does not exist yet is created


def test_candor_run_with_an_unreachable_database(tmp_path):
    env = {**base_env(tmp_path), **SLACK, "DATABASE_URL": "postgresql://nobody:hunter2@127.0.0.1:1/x"}
    proc = run("run", env=env, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "hunter2" not in proc.stdout + proc.stderr
    assert "candor: cannot reach the database at postgresql+psycopg://nobody:***@127.0.0.1:1/x" in proc.stderr


def test_people_export_to_the_terminal_is_safe_and_still_the_same_json(hostile):
    proc = run("people", "export", "U0EVE", env=hostile)
    assert_nothing_raw(proc)
    assert "Eve\\u202eevil" in proc.stdout  # JSON's own escape: the same JSON, safe on a terminal
    profile = json.loads(proc.stdout)["profile"]
    assert (profile["display_name"], profile["tz"]) == ("Eve\u202eevil", "Europe/Lisbon\x9b2J")
