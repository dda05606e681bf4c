"""Operator commands for people, the org chart, HR roles and the audit log (run as subprocesses)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import Database
from models.core.tables import AuditEntry, Person
from models.one_on_ones.tables import OneOnOnePair
from models.people import ensure_workspace
from tests.test_cli import base_env, run

TEAM = "T0CANDOR"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = base_env(tmp_path)
    db = Database(env["DATABASE_URL"])
    db.upgrade()
    with db.unit_of_work() as s:
        ensure_workspace(s, TEAM, "Candor Test")
        for uid, name, email in [("U0ANA", "Ana Silva", "ana@example.com"), ("U0BOB", "Bob Stone", "bob@example.com"),
                                 ("U0CARA", "Cara Diaz", "cara@example.com")]:
            s.add(Person(team_id=TEAM, slack_user_id=uid, real_name=name, email=email, tz="Europe/Lisbon"))
        s.add(Person(team_id=TEAM, slack_user_id="U0GONE", real_name="Gone Person", email="gone@example.com",
                     is_deleted=True))
    db.dispose()
    return env


def audit_actions(env: dict[str, str]) -> list[str]:
    db = Database(env["DATABASE_URL"])
    with db.unit_of_work() as s:
        actions = [e.action for e in s.query(AuditEntry).order_by(AuditEntry.id)]
    db.dispose()
    return actions


def test_org_import_dry_run_then_apply_then_idempotent(env, tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("email,manager_email,department,title,start_date\n"
                   "ana@example.com,bob@example.com,Engineering,Engineer,2024-02-01\n"
                   "bob@example.com,,Engineering,Head of Engineering,2020-01-06\n", encoding="utf-8")
    dry = run("org", "import", str(csv), "--dry-run", env=env).stdout
    assert "ana@example.com" in dry and "bob@example.com" in dry and "dry run: nothing was changed" in dry
    assert "(top of the chart)" in run("people", "show", "ana@example.com", env=env).stdout
    applied = run("org", "import", str(csv), env=env).stdout
    assert "applied" in applied
    # Every feature that follows the chart did so in the same unit of work: Bob and Ana have a 1:1 pair now.
    assert "1:1 pairs: 1 pairs created, 0 re-activated, 0 ended" in applied
    db = Database(env["DATABASE_URL"])
    with db.reading() as s:
        pairs = [(p.manager.slack_user_id, p.report.slack_user_id, p.active) for p in s.query(OneOnOnePair)]
    db.dispose()
    assert pairs == [("U0BOB", "U0ANA", True)]
    shown = run("people", "show", "U0ANA", env=env).stdout
    assert "Manager chain:         Bob Stone" in shown and "Engineering" in shown and "2024-02-01" in shown
    again = run("org", "import", str(csv), env=env).stdout
    assert "applied" not in again
    assert audit_actions(env) == ["org.import"]
    assert "org.import" in run("audit", "list", env=env).stdout


def test_org_import_reports_every_bad_line_and_changes_nothing(env, tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("email,manager_email,start_date\n"
                   "ana@example.com,bob@example.com,2024-02-30\n"
                   "nobody@example.com,bob@example.com,\n"
                   "bob@example.com,ana@example.com,\n", encoding="utf-8")
    proc = run("org", "import", str(csv), env=env, check=False)
    assert proc.returncode == 2
    assert "nothing was imported" in proc.stderr
    assert "line 2:" in proc.stderr and "line 3:" in proc.stderr and "cycle" in proc.stderr.lower()
    assert "(top of the chart)" in run("people", "show", "ana@example.com", env=env).stdout
    assert audit_actions(env) == []


def test_org_import_refuses_a_non_utf8_file(env, tmp_path):
    csv = tmp_path / "excel.csv"
    csv.write_bytes(b"email,manager_email\nren\xe9@example.com,\n")
    proc = run("org", "import", str(csv), env=env, check=False)
    assert proc.returncode == 2 and "line 2 is not UTF-8 text" in proc.stderr


def test_people_list_and_hr_role(env):
    out = run("people", "list", env=env).stdout
    assert "Ana Silva" in out and "Gone Person" not in out and "3 of 4 people" in out
    assert "deactivated" in run("people", "list", "--all", env=env).stdout
    assert "now an HR admin" in run("hr", "grant", "cara@example.com", env=env).stdout
    assert "already" in run("hr", "grant", "U0CARA", env=env).stdout
    assert "HR admin:              yes" in run("people", "show", "U0CARA", env=env).stdout
    assert "no longer" in run("hr", "revoke", "U0CARA", env=env).stdout
    assert audit_actions(env) == ["role.hr_admin.grant", "role.hr_admin.revoke"]


def test_unknown_person_is_a_clear_error(env):
    proc = run("people", "show", "nobody@example.com", env=env, check=False)
    assert proc.returncode == 2 and "nobody with email 'nobody@example.com'" in proc.stderr


def test_export_and_erase_from_the_cli(env, tmp_path):
    import json

    out = tmp_path / "ana.json"
    assert "wrote" in run("people", "export", "ana@example.com", "--output", str(out), env=env).stdout
    data = json.loads(out.read_text())
    assert "ana@example.com" in json.dumps(data)
    refused = run("people", "erase", "U0ANA", env=env, check=False)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert "erased Ana Silva (U0ANA)" in run("people", "erase", "U0ANA", "--yes", env=env).stdout
    assert run("people", "show", "U0ANA", env=env, check=False).returncode == 2
    assert audit_actions(env) == ["privacy.export", "privacy.erase"]
    assert "Ana" not in run("people", "list", "--all", env=env).stdout


def test_jobs_list_shows_every_job_with_its_next_run(env):
    out = run("jobs", "list", env=env).stdout
    for name in ("prompt_tick", "outbox_send", "people_sync", "replay_events", "checkin_alerts",
                 "one_on_one_pairs", "one_on_one_alerts"):
        assert name in out, name
    assert "every node" in out and "leader" in out
    bad = run("jobs", "run", "nope", env=env, check=False)
    assert bad.returncode == 2 and "no job 'nope'" in bad.stderr


def test_outbox_status_and_retry(env):
    from models.core import outbox

    db = Database(env["DATABASE_URL"])
    with db.unit_of_work() as s:
        ana = s.query(Person).filter_by(slack_user_id="U0ANA").one()
        dead = outbox.enqueue(s, team_id=TEAM, kind="kudos.dm", key="k1", recipient=ana, payload={"kudos_id": 1})
        dead.state, dead.last_error = "dead", "user_not_found"
        outbox.enqueue(s, team_id=TEAM, kind="checkin.prompt", key="k2", recipient=ana, payload={"period": "x"})
        dead_id = dead.id
    db.dispose()
    status = run("outbox", "status", env=env).stdout
    assert "dead      kudos.dm" in status and "pending   checkin.prompt" in status and "oldest pending" in status
    assert run("outbox", "retry", "9999", env=env, check=False).returncode == 2
    assert "1 message(s) queued again" in run("outbox", "retry", str(dead_id), env=env).stdout
    assert "dead" not in run("outbox", "status", env=env).stdout
    assert "0 message(s)" in run("outbox", "retry", "--dead", env=env).stdout


def test_alerts_list(env):
    from models.core.tables import Alert

    assert "no alerts" in run("alerts", "list", env=env).stdout
    db = Database(env["DATABASE_URL"])
    with db.unit_of_work() as s:
        ana = s.query(Person).filter_by(slack_user_id="U0ANA").one()
        s.add(Alert(team_id=TEAM, kind="checkin.missed", subject=f"person:{ana.id}", period="2026-W50",
                    person_id=ana.id, details={"missed": ["2026-W50", "2026-W49"]}))
    db.dispose()
    out = run("alerts", "list", env=env).stdout
    assert "checkin.missed" in out and "Ana Silva" in out and "2026-W49" in out
    assert "no alerts of kind oneonone.none" in run("alerts", "list", "--kind", "oneonone.none", env=env).stdout
    # The kinds come from the features (models.features): an unknown one is named with the real ones.
    assert "(the kinds are: checkin.missed, goal.off_track, goal.stalled, oneonone.no_meeting)" in run(
        "alerts", "list", "--kind", "oneonone.none", env=env).stdout
