"""Process settings: one settings class, read from the environment (and a `.env` file).

Slack's standard variable names for the tokens, `DATABASE_URL`, `SLACK_API_URL`, and `CANDOR_*` for the
rest. The organisation's settings (company values, channels, HR admins, limits) are the YAML file named by
`CANDOR_CONFIG`, read by `models.core.config.OrgConfig`.

Every problem is reported as a `ConfigError` whose message names the variable and what is wrong, so
`candor run` and `candor config check` can fail with one clear line per problem.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from models.core.config import ConfigError, OrgConfig, validation_lines

__all__ = ["ConfigError", "Settings", "load_settings"]


# ---------------------------------------------------------------------------------------------
# Process settings (environment)
# ---------------------------------------------------------------------------------------------

_ENV_NAMES = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "database_url": "DATABASE_URL",
    "slack_api_url": "SLACK_API_URL",
}

TOKEN_HELP = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-…) from your app's page → OAuth & Permissions",
    "SLACK_APP_TOKEN": "an app-level token (xapp-…) with connections:write, from Basic Information → "
    "App-Level Tokens (needed for Socket Mode)",
    "SLACK_SIGNING_SECRET": "the Signing Secret from your app's page → Basic Information → App Credentials",
}


class Settings(BaseSettings):
    """Process settings. Field docs double as the configuration reference in the README."""

    model_config = SettingsConfigDict(
        env_prefix="CANDOR_", env_file=".env", extra="ignore", populate_by_name=True
    )

    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "slack_bot_token")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "slack_app_token")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "slack_signing_secret")
    )
    database_url: str = Field(
        default="sqlite:///candor.db", validation_alias=AliasChoices("DATABASE_URL", "database_url")
    )
    slack_api_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_API_URL", "slack_api_url"),
        description="Base URL of the Slack Web API (tests and staging point it at a stand-in)",
    )
    config: Path | None = Field(default=None, description="Path of the organisation YAML file")
    auto_migrate: bool = Field(
        default=True, description="Upgrade the database at startup (turn off in production)"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    port: int = Field(default=3000, ge=1, le=65535, description="HTTP mode listen port")
    host: str = Field(default="0.0.0.0", description="HTTP mode listen address")  # noqa: S104
    scheduler: bool = Field(default=True, description="Run the scheduler and outbox sender in this process")
    rate_per_minute: int = Field(
        default=300, ge=1, le=100_000,
        description="Messages per minute this process may send to one workspace (Slack allows several hundred; "
        "divide by workers × replicas: every gunicorn worker sends)",
    )
    sender_workers: int = Field(
        default=1, ge=1, le=32, description="Threads per process sending from the outbox (DMs to different people "
        "go out in parallel; one channel still gets at most one message a second)",
    )
    outbox_lease_seconds: int = Field(
        default=60, ge=1, le=3600,
        description="How long a sender owns a claimed message before another may take it over",
    )
    default_locale: str = "en"
    state_secret: SecretStr | None = Field(
        default=None,
        description="Key for the state Candor seals into modals (default: derived from the signing secret, "
        "else the app or bot token); set it when several replicas or a token rotation must agree",
    )

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and v.get_secret_value() and not v.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with 'xoxb-'")
        return v or None

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and v.get_secret_value() and not v.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with 'xapp-'")
        return v if v is not None and v.get_secret_value() else None

    @field_validator("slack_signing_secret", "state_secret")
    @classmethod
    def _secret(cls, v: SecretStr | None) -> SecretStr | None:
        return v if v is not None and v.get_secret_value() else None

    @field_validator("database_url")
    @classmethod
    def _db(cls, v: str) -> str:
        if v.startswith("postgres://"):
            v = "postgresql://" + v.removeprefix("postgres://")
        if v.startswith("postgresql://"):
            v = "postgresql+psycopg://" + v.removeprefix("postgresql://")
        if not (v.startswith("sqlite") or v.startswith("postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return v

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, v: str | None) -> str | None:
        if not v:
            return None
        if not re.match(r"^https?://", v):
            raise ValueError("must be an http(s):// URL such as https://slack.com/api/")
        return v if v.endswith("/") else v + "/"

    @property
    def mode(self) -> Literal["socket", "http"]:
        return "socket" if self.slack_app_token is not None else "http"

    def require_tokens(self) -> None:
        """Fail with one line per missing token, saying where to get it."""
        needed = ["SLACK_BOT_TOKEN"] + (
            ["SLACK_APP_TOKEN"] if self.mode == "socket" else ["SLACK_SIGNING_SECRET"]
        )
        present = {
            "SLACK_BOT_TOKEN": self.slack_bot_token,
            "SLACK_APP_TOKEN": self.slack_app_token,
            "SLACK_SIGNING_SECRET": self.slack_signing_secret,
        }
        if self.slack_app_token is None and self.slack_signing_secret is None:
            problems = [f"SLACK_BOT_TOKEN is not set: it is {TOKEN_HELP['SLACK_BOT_TOKEN']}"] if (
                self.slack_bot_token is None) else []
            problems.append(
                "neither SLACK_APP_TOKEN (Socket Mode, the default) nor SLACK_SIGNING_SECRET (HTTP mode) is set: "
                f"SLACK_APP_TOKEN is {TOKEN_HELP['SLACK_APP_TOKEN']}; SLACK_SIGNING_SECRET is "
                f"{TOKEN_HELP['SLACK_SIGNING_SECRET']}"
            )
            raise ConfigError(problems)
        missing = [name for name in needed if present[name] is None]
        if missing:
            raise ConfigError([f"{name} is not set: it is {TOKEN_HELP[name]}" for name in missing])

    def org(self) -> OrgConfig:
        return OrgConfig.load(self.config)

    def masked(self) -> dict[str, str]:
        """Effective settings for display: secrets masked, nothing else hidden."""
        out: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            env = _ENV_NAMES.get(name, f"CANDOR_{name.upper()}")
            if isinstance(value, SecretStr):
                secret = value.get_secret_value()
                # A token's kind (xoxb-, xapp-) helps; anything of a plain secret would be part of it.
                kind = secret[:5] if secret[:5] in ("xoxb-", "xapp-") else ""
                out[env] = f"{kind}…(set, {len(secret)} chars)"
            elif value is None:
                out[env] = "(not set)"
            elif name == "database_url":
                out[env] = _masked_database_url(str(value))
            else:
                out[env] = str(value)
        return out


# Query parameters that carry a secret (`password`, `sslpassword`, `client_secret`, `api_token`, ...).
SECRET_PARAMETER = re.compile("pass|secret|token", re.IGNORECASE)


def _masked_database_url(url: str) -> str:
    """`url` with its password and every secret-looking query parameter shown as `***`.

    SQLAlchemy's own parser finds the password, also after an empty user name (`postgresql://:pw@db/x`). When
    it fails, or when an `@` lands in the host or the database name (an unescaped `@` in the password), nobody
    can tell where the password ends: everything after the scheme is hidden rather than guessed.
    """
    scheme = url.split("://", 1)[0]
    hidden = f"{scheme}://*** (not shown: the URL cannot be parsed safely)"
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return hidden
    if "@" in (parsed.host or "") or (parsed.password is not None and "@" in (parsed.database or "")):
        return hidden
    if parsed.password is None and not any(SECRET_PARAMETER.search(key) for key in parsed.query):
        return url  # nothing to mask: shown exactly as written
    shown = parsed.set(query={}).render_as_string(hide_password=True)
    pairs = [
        (key, "***" if SECRET_PARAMETER.search(key) else value)
        for key, values in parsed.query.items()
        for value in ((values,) if isinstance(values, str) else values)
    ]
    return shown + ("?" + urlencode(pairs, safe="*/:,") if pairs else "")


def load_settings(**overrides: Any) -> Settings:
    """Build `Settings` from the environment, turning validation errors into a `ConfigError`."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        names = {field: _ENV_NAMES.get(field, f"CANDOR_{field.upper()}") for field in Settings.model_fields}
        names.update({env.lower(): env for env in _ENV_NAMES.values()})
        raise ConfigError(validation_lines(exc, names=names, secret=frozenset(TOKEN_HELP))) from None
