"""Settings: every bad value fails with the variable or field named; missing tokens say where to get them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ConfigError, Settings, load_settings
from models.core.config import OrgConfig

REPO = Path(__file__).resolve().parents[1]


def settings(**kw) -> Settings:
    return load_settings(_env_file=None, **kw)


def test_defaults_are_the_embedded_setup(monkeypatch):
    for var in ("DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "CANDOR_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    s = settings()
    assert s.database_url == "sqlite:///candor.db" and s.auto_migrate is True and s.port == 3000


def test_standard_slack_names_are_read(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("CANDOR_PORT", "8080")
    s = settings()
    assert s.mode == "socket" and s.port == 8080 and s.slack_api_url == "http://127.0.0.1:9/api/"


def test_postgres_url_gets_the_psycopg_driver(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/candor")
    assert settings().database_url == "postgresql+psycopg://u:p@db:5432/candor"


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN: must be a bot token starting with 'xoxb-'"),
        ("SLACK_APP_TOKEN", "xoxb-wrong", "SLACK_APP_TOKEN: must be an app-level token starting with 'xapp-'"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: must be a sqlite:/// or postgresql:// URL"),
        ("CANDOR_PORT", "99999", "CANDOR_PORT: Input should be less than or equal to 65535"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL: must be an http(s):// URL"),
        ("CANDOR_AUTO_MIGRATE", "perhaps", "CANDOR_AUTO_MIGRATE: Input should be a valid boolean"),
    ],
)
def test_bad_environment_names_the_variable(monkeypatch, var, value, message):
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as err:
        settings()
    assert any(line.startswith(message) for line in err.value.problems), err.value.problems
    if "TOKEN" in var:
        assert value not in str(err.value), "a token value must never be echoed"


def test_missing_tokens_say_which_and_where(monkeypatch):
    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ConfigError) as err:
        settings().require_tokens()
    text = str(err.value)
    assert "SLACK_BOT_TOKEN is not set" in text and "OAuth & Permissions" in text
    assert "SLACK_APP_TOKEN (Socket Mode, the default)" in text and "App-Level Tokens" in text
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    settings().require_tokens()  # HTTP mode: complete


def test_masked_settings_hide_secrets_and_passwords(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-value-123")
    monkeypatch.setenv("DATABASE_URL", "postgresql://candor:hunter2@db/candor")
    shown = settings().masked()
    assert "secret-value" not in str(shown) and "hunter2" not in str(shown)
    assert shown["SLACK_BOT_TOKEN"].startswith("xoxb-…(set")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://candor:hunter2@db/candor", "postgresql+psycopg://candor:***@db/candor"),
        ("postgresql://:hunter2@db/candor", "postgresql+psycopg://:***@db/candor"),
        ("postgresql://candor:hunter2%40x@db/candor", "postgresql+psycopg://candor:***@db/candor"),
        ("postgresql://candor@db/candor?password=hunter2", "postgresql+psycopg://candor@db/candor?password=***"),
        ("postgresql://candor@db/candor?sslmode=require&sslpassword=hunter2",
         "postgresql+psycopg://candor@db/candor?sslmode=require&sslpassword=***"),
        ("postgresql://candor@db/candor?PassWord=hunter2&api_token=hunter2&client_secret=hunter2",
         "postgresql+psycopg://candor@db/candor?PassWord=***&api_token=***&client_secret=***"),
        ("postgresql://candor:hunter2@db:5432/candor?application_name=candor",
         "postgresql+psycopg://candor:***@db:5432/candor?application_name=candor"),
        ("sqlite:///candor.db", "sqlite:///candor.db"),
        ("sqlite:////var/lib/candor/candor.db", "sqlite:////var/lib/candor/candor.db"),
    ],
)
def test_masked_database_url_hides_every_password(monkeypatch, url, shown):
    """User-info passwords (also with an empty user name) and secret-looking query parameters are masked; the
    rest of the URL stays readable, so the operator can still see which database is meant."""
    monkeypatch.setenv("DATABASE_URL", url)
    assert settings().masked()["DATABASE_URL"] == shown


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://candor:hun@ter2@db/candor",  # an unescaped "@" in the password
        "postgresql://candor:hun@ter2/x@db/candor",
        "postgresql://candor:hunter2@db:notaport/candor",  # the parser gives up
        "postgresql://candor:hunter2@[::1/candor",
    ],
)
def test_masked_database_url_hides_what_it_cannot_parse(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    shown = settings().masked()["DATABASE_URL"]
    assert "hunter2" not in shown and "ter2" not in shown
    assert shown.startswith("postgresql+psycopg://")


def test_example_config_is_valid():
    org = OrgConfig.load(REPO / "candor.example.yml")
    assert [v.name for v in org.values] == ["customer-focus", "ownership", "teamwork", "candor"]
    assert org.kudos.channel == "C0123456789" and org.kudos.weekly_allowance is None


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("values:\n  - name: Customer Focus\n", "values.0.name: must be 1-50 characters"),
        ("values:\n  - name: a\n  - name: a\n", "values: value 'a' is listed twice"),
        ("values:\n  - name: a\n    emoji: star\n", "values.0.emoji: must be a Slack emoji code"),
        ("kudos:\n  channel: '#kudos'\n", "kudos.channel: must be a Slack channel id"),
        ("kudos:\n  announce: channel\n", "kudos: announce is 'channel' but no channel is set"),
        ("kudos:\n  min_message_length: 50\n  max_message_length: 30\n  channel: C1234\n",
         "max_message_length must be at least min_message_length"),
        ("kudos:\n  max_recipients: 0\n  channel: C1234\n",
         "kudos.max_recipients: Input should be greater than or equal to 1"),
        ("hr:\n  admins: [ana]\n", "hr.admins: 'ana' is not a Slack user id"),
        ("schedule:\n  working_days: []\n", "schedule.working_days: at least one working day is needed"),
        ("schedule:\n  quiet_hours_start: '25:00'\n", "schedule.quiet_hours_start"),
        ("kudos:\n  colour: blue\n  channel: C1234\n", "kudos.colour: Extra inputs are not permitted"),
        ("- just\n- a list\n", "the top level must be a mapping"),
        ("kudos: [unclosed\n", "line 2 is not valid YAML"),
        ("privacy:\n  min_group_size: 2\n", "privacy.min_group_size: Input should be greater than or equal to 3"),
    ],
)
def test_bad_yaml_names_the_field(tmp_path, yaml_text, message):
    path = tmp_path / "candor.yml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError) as err:
        OrgConfig.load(path)
    assert any(message in line for line in err.value.problems), err.value.problems
    assert all(line.startswith(f"CANDOR_CONFIG ({path})") for line in err.value.problems)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        OrgConfig.load(tmp_path / "nope.yml")
