"""The `candor` command line, run as an operator would (subprocess), against the fake Slack."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ANA, BOB, KUDOS_CHANNEL, SECRET, TEAM
from tests.slack_requests import SlackRequests

CANDOR = str(Path(sys.executable).with_name("candor"))


def run(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([CANDOR, *args], capture_output=True, text=True, env=env, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"candor {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CANDOR_", "DATABASE_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/candor.db", **extra)
    return env


@pytest.mark.parametrize(
    "args",
    [[], ["run"], ["db"], ["db", "upgrade"], ["db", "check"], ["config"], ["config", "check"], ["jobs"],
     ["jobs", "list"], ["jobs", "run"], ["outbox"], ["outbox", "status"], ["outbox", "retry"],
     ["people", "list"], ["people", "show"], ["people", "export"], ["people", "erase"], ["org", "import"],
     ["hr", "grant"], ["audit", "list"], ["alerts", "list"], ["features"]],
)
def test_help_everywhere(args):
    out = run(*args, "--help").stdout
    assert "usage: candor" in out


def test_features_lists_each_feature_and_what_it_adds(tmp_path):
    """The one list of features, as an operator sees it: every job `candor jobs list` shows belongs to one."""
    out = run("features", env=base_env(tmp_path)).stdout
    names = [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")]
    assert names == ["people", "kudos", "checkins", "one_on_ones", "goals", "feedback", "pulse"]
    assert "prompts:        checkin.prompt, checkin.reminder" in out
    assert "1:1 agenda:     talking_points, action_items" in out
    feature_jobs = {name for line in out.splitlines() if line.strip().startswith("jobs:")
                    for name in line.split(":", 1)[1].replace(",", " ").split()}
    listed = {line.split()[0] for line in run("jobs", "list", env=base_env(tmp_path)).stdout.splitlines()[1:]}
    assert feature_jobs and feature_jobs < listed
    assert listed - feature_jobs == {"outbox_send", "replay_events", "prompt_tick", "housekeeping", "digest"}


def test_db_upgrade_then_check(tmp_path):
    env = base_env(tmp_path)
    check_before = run("db", "check", env=env, check=False)
    assert check_before.returncode == 2 and "run `candor db upgrade`" in check_before.stderr
    assert "(head)" in run("db", "upgrade", env=env).stdout
    assert "models and migrations agree" in run("db", "check", env=env).stdout


def test_config_check_masks_secrets(tmp_path):
    env = base_env(tmp_path, SLACK_BOT_TOKEN="xoxb-very-secret-token", SLACK_APP_TOKEN="xapp-also-secret",
                   CANDOR_CONFIG=str(Path(__file__).resolve().parents[1] / "candor.example.yml"))
    out = run("config", "check", env=env).stdout
    assert "very-secret" not in out and "also-secret" not in out
    assert "Mode: Socket Mode" in out and "customer-focus" in out and "configuration OK" in out


@pytest.mark.parametrize(
    "url",
    ["postgresql://candor@db/candor?password=hunter2", "postgresql://candor@db/candor?sslpassword=hunter2",
     "postgresql://:hunter2@db/candor", "postgresql://candor:hunter2@db/candor"],
)
def test_config_check_masks_every_database_password(tmp_path, url):
    proc = run("config", "check", env={**base_env(tmp_path), "DATABASE_URL": url})
    assert "hunter2" not in proc.stdout + proc.stderr
    assert "DATABASE_URL = postgresql+psycopg://" in proc.stdout and "@db/candor" in proc.stdout


def test_config_check_reports_bad_yaml_with_field(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("kudos:\n  max_recipients: lots\n  channel: C1234\n")
    proc = run("config", "check", "--config", str(bad), env=base_env(tmp_path), check=False)
    assert proc.returncode == 2
    assert "kudos.max_recipients: Input should be a valid integer" in proc.stderr


def test_run_without_tokens_says_what_is_missing(tmp_path):
    proc = run("run", env=base_env(tmp_path), check=False)
    assert proc.returncode == 2 and "SLACK_BOT_TOKEN is not set" in proc.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(proc: subprocess.Popen[str], base: str, what: str, seconds: float = 60) -> None:
    """Wait until the server `proc` started answers `GET /healthz` with 200; fail with its output if it dies."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert time.monotonic() < deadline, f"{what} never became healthy"
        time.sleep(0.2)


def test_candor_run_http_mode_end_to_end(tmp_path, fake):
    """`candor run` migrates the SQLite file, serves /slack/events and /healthz, and its sender delivers."""
    port = _free_port()
    config = tmp_path / "candor.yml"
    config.write_text(f"kudos:\n  announce: channel\n  channel: {KUDOS_CHANNEL}\n")
    env = base_env(tmp_path, SLACK_BOT_TOKEN="xoxb-test-token", SLACK_SIGNING_SECRET=SECRET,
                   SLACK_API_URL=fake.url, CANDOR_CONFIG=str(config), CANDOR_HOST="127.0.0.1")
    proc = subprocess.Popen([CANDOR, "run", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(proc, base, "candor run")
        slack = SlackRequests(base, SECRET, TEAM)
        resp = slack.command("/kudos", f"<@{ANA}> for the calm launch and the clear runbook", user=BOB)
        assert "Kudos sent" in resp.text
        fake.wait_for("chat.postMessage", count=2, timeout=10)  # the sender thread delivers on its own
        assert len(fake.messages(KUDOS_CHANNEL)) == 1 and len(fake.dms_to(ANA)) == 1
        slack.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    assert "xoxb-test-token" not in out


def test_candor_run_socket_mode_end_to_end(tmp_path, fake):
    """The embedded default: SQLite and Socket Mode. /kudos and an event arrive as envelopes over a real
    WebSocket; acks come back within 3 s; the sender thread delivers the DMs."""
    from tests.fake_socket_mode import FakeSocketMode
    from tests.slack_requests import sample

    config = tmp_path / "candor.yml"
    config.write_text(f"kudos:\n  announce: channel\n  channel: {KUDOS_CHANNEL}\n")
    env = base_env(tmp_path, SLACK_BOT_TOKEN="xoxb-test-token", SLACK_APP_TOKEN="xapp-test-token",
                   SLACK_API_URL=fake.url, CANDOR_CONFIG=str(config))
    with FakeSocketMode(fake) as socket_mode:
        proc = subprocess.Popen([CANDOR, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            socket_mode.wait_connected()
            command = sample("slash_command.parsed.json")["body"]
            for key in ("enterprise_id", "enterprise_name"):
                command.pop(key, None)
            command.update(command="/kudos", text=f"<@{ANA}> for the calm launch and the clear runbook",
                           user_id=BOB, team_id=TEAM, channel_id="C0GENERAL", trigger_id="9.9.socket")
            ack, seconds = socket_mode.send("slash_commands", command)
            assert seconds < 3
            assert "Kudos sent to <@U0ANA>" in json.dumps(ack.get("payload", {}))
            fake.wait_for("chat.postMessage", count=2, timeout=10)
            assert len(fake.dms_to(ANA)) == 1 and len(fake.messages(KUDOS_CHANNEL)) == 1
            event = sample("event.app_home_opened.json")["event"]
            event.update(user=ANA, tab="home")
            event.pop("view", None)
            ack, seconds = socket_mode.send("events_api", {
                "token": "x", "team_id": TEAM, "api_app_id": "A0CANDOR", "event": event, "type": "event_callback",
                "event_id": "Ev0SOCKET", "event_time": 1, "authorizations": [{"team_id": TEAM, "user_id": "U0CANDORBOT",
                                                                               "is_bot": True}]})
            assert seconds < 3
            deadline = time.monotonic() + 10
            while ANA not in fake.home_views or "calm launch" not in json.dumps(fake.home_views[ANA]):
                assert time.monotonic() < deadline, "the App Home was never published"
                time.sleep(0.1)
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    assert "Socket Mode" in out and "xapp-test-token" not in out and "xoxb-test-token" not in out
