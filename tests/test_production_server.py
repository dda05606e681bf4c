"""The production command the README documents, run as an operator would: gunicorn serving
`bot.wsgi:application`, a signed /kudos through it, and the outbox sender in the worker delivering."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import ANA, BOB, KUDOS_CHANNEL, SECRET, TEAM
from tests.slack_requests import SlackRequests
from tests.test_cli import CANDOR, _free_port, base_env, wait_healthy

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
README = Path(__file__).resolve().parent.parent / "README.md"


# The README's commands: SQLite, one process; PostgreSQL, one worker per core (BENCHMARKS.md says why).
COMMANDS = {"sqlite": ["--workers", "1", "--threads", "8"], "postgres": ["--workers", "2", "--threads", "4"]}


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_gunicorn_serves_the_app_as_the_readme_says(tmp_path, fake, request, database):
    config = tmp_path / "candor.yml"
    config.write_text(f"kudos:\n  announce: channel\n  channel: {KUDOS_CHANNEL}\n")
    env = base_env(tmp_path, SLACK_BOT_TOKEN="xoxb-test-token", SLACK_SIGNING_SECRET=SECRET,
                   SLACK_API_URL=fake.url, CANDOR_CONFIG=str(config))
    assert f"gunicorn {' '.join(COMMANDS[database])}" in README.read_text()
    if database == "postgres":
        env["DATABASE_URL"] = request.getfixturevalue("pg_url")
    migrated = subprocess.run([CANDOR, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    port = _free_port()
    # The README's command, on a free loopback port.
    proc = subprocess.Popen(
        [GUNICORN, *COMMANDS[database], "--bind", f"127.0.0.1:{port}", "bot.wsgi:application"],
        env={**env, "CANDOR_AUTO_MIGRATE": "false"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(proc, base, "gunicorn")
        slack = SlackRequests(base, SECRET, TEAM)
        resp = slack.command("/kudos", f"<@{ANA}> for the calm launch and the clear runbook", user=BOB)
        assert resp.status_code == 200 and "Kudos sent" in resp.text
        forged = httpx.post(base + "/slack/events", content=b"command=%2Fkudos", timeout=5,
                            headers={"X-Slack-Signature": "v0=forged", "X-Slack-Request-Timestamp": "1"})
        assert forged.status_code == 401  # the signature is verified under gunicorn too
        fake.wait_for("chat.postMessage", count=2, timeout=15)  # the worker's sender delivers on its own
        assert len(fake.messages(KUDOS_CHANNEL)) == 1 and len(fake.dms_to(ANA)) == 1
        slack.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert "xoxb-test-token" not in out
