"""What every `candor` command shares: the error it prints without a traceback, safe printing of data, the
settings and runtime a command works with, and the check that the database is reachable and migrated."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util.exc import CommandError
from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.db import Database
from bot.runtime import Runtime
from bot.settings import SECRET_PARAMETER, Settings, load_settings
from models.core.tables import Workspace
from models.core.text import CONTROL_CHARACTERS

Common = Callable[[argparse.ArgumentParser], argparse.ArgumentParser]


class CliError(Exception):
    """A problem the operator can fix; printed without a traceback, exit status 2."""


def printable(value: object) -> str:
    """`value` as text that is safe to print: control characters shown as `\\u001b`-style escapes.

    Names and emails come from Slack, titles from HR's CSV files, details from anyone: printed raw, an escape
    sequence in them would drive the operator's terminal, and a bidirectional override would reorder the line.
    The escapes are also valid inside JSON strings, so JSON output stays JSON.
    """
    return CONTROL_CHARACTERS.sub(lambda m: f"\\u{ord(m[0]):04x}", str(value))


def settings_from(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "config", None):
        overrides["config"] = args.config
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    return load_settings(**overrides)


def runtime_for(args: argparse.Namespace, *, need_slack: bool = False) -> Any:
    """The process objects for a command that uses the database, which must be reachable and migrated."""
    settings = settings_from(args)
    if need_slack:
        settings.require_tokens()
    require_parsable_url(settings)
    rt = Runtime(settings)
    try:
        check_database(rt.db, settings)
    except CliError:
        rt.db.dispose()
        raise
    return rt


def require_parsable_url(settings: Settings) -> None:
    """Raise `CliError` when SQLAlchemy cannot parse DATABASE_URL. Checked before an engine is made: its own
    error is a traceback, and may quote the part of the URL it choked on."""
    try:
        make_url(settings.database_url)
    except (ArgumentError, ValueError):
        raise CliError("DATABASE_URL cannot be read as a database URL (a port that is not a number? a character "
                       "such as @ / : in the password that needs %-escaping?): check DATABASE_URL") from None


def check_database(db: Any, settings: Settings, *, upgrading: bool = False) -> None:
    """Raise `CliError` saying what is wrong with the database and what to run, unless it can be used.

    Usable: reachable and at the code's head revision. `upgrading` (`candor db upgrade`, `candor run` with
    auto-migration) also accepts an empty database and one at an older revision: the upgrade fixes those.
    Checked before a command's work, so that the operator reads one sentence instead of a traceback.
    """
    problem = database_problem(db, printable(settings.masked()["DATABASE_URL"]), upgrading=upgrading)
    if problem is not None:
        raise CliError(problem)


def database_problem(db: Any, shown: str, *, upgrading: bool = False) -> str | None:
    """What is wrong with the database (a sentence ending in what to do), or None. `shown`: its masked URL."""
    if (problem := _sqlite_file_problem(db.url, shown, upgrading=upgrading)) is not None:
        return problem
    where = f"the database at {shown}"
    try:
        with db.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            other_tables = current is None and bool(inspect(conn).get_table_names())
    except SQLAlchemyError as exc:
        return f"cannot reach {where}: {_reason(exc, db.url)}; check DATABASE_URL"
    head = db.head_revision()
    if current == head:
        return None
    if current is None:
        if other_tables:
            return (f"{where} has tables but no Candor schema revision: it was not set up by `candor db upgrade`; "
                    "check DATABASE_URL (`candor db upgrade` sets up an empty database)")
        if upgrading:
            return None
        return f"{where} has no Candor tables yet (it was never migrated): run `candor db upgrade`"
    if not _known_revision(db, current):
        return (f"{where} is at revision {printable(current)}, which this version of Candor does not know (did a "
                "newer release migrate it?): run that release of Candor, or check DATABASE_URL")
    if upgrading:
        return None
    return (f"{where} is at revision {current}, older than this version of Candor needs ({head}): "
            "run `candor db upgrade`")


def _sqlite_file_problem(url: str, shown: str, *, upgrading: bool) -> str | None:
    """SQLite creates a missing file on connect: a typo in DATABASE_URL would leave an empty database behind
    and report it as "never migrated". Only `candor db upgrade` may create the file."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:") or "uri" in parsed.query:
        return None
    path = Path(parsed.database)
    if not path.parent.is_dir():
        return (f"cannot reach the database at {shown}: the directory {printable(path.parent)} does not exist; "
                "check DATABASE_URL")
    if not upgrading and not path.exists():
        return (f"there is no database at {shown} (no such file): run `candor db upgrade` to create it, "
                "or check DATABASE_URL")
    return None


def _known_revision(db: Any, revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(db.alembic_config()).get_revision(revision) is not None
    except (RevisionError, CommandError):
        return False


def _reason(exc: Exception, url: str) -> str:
    """The driver's own first line (no SQL, no link to SQLAlchemy's docs), with the URL's secrets masked."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    reason = lines[0].strip() if lines else type(orig).__name__
    parsed = make_url(url)
    secrets = [parsed.password or ""] + [
        value for key, values in parsed.query.items() if SECRET_PARAMETER.search(key)
        for value in ((values,) if isinstance(values, str) else values)
    ]
    for secret in filter(None, secrets):
        reason = reason.replace(secret, "***")
    return printable(reason)


def diagnose(args: argparse.Namespace) -> str | None:
    """After a database error: what is wrong with the database, or None when nothing is (a bug, then)."""
    settings = settings_from(args)
    try:
        require_parsable_url(settings)
    except CliError as exc:
        return str(exc)
    db = Database(settings.database_url)
    try:
        shown = printable(settings.masked()["DATABASE_URL"])
        upgrading = args.command == "run" or getattr(args, "db_command", None) == "upgrade"
        return database_problem(db, shown, upgrading=upgrading)
    finally:
        db.dispose()


def team_of(session: Any, args: argparse.Namespace) -> str:
    """The workspace a command is about: --team, or the only one in the database."""
    teams = list(session.scalars(select(Workspace.team_id)))
    if getattr(args, "team", None):
        if args.team not in teams:
            raise CliError(f"workspace {args.team} is not in this database (known: {', '.join(teams) or 'none'})")
        return str(args.team)
    if len(teams) == 1:
        return str(teams[0])
    if not teams:
        raise CliError("no workspace in this database yet: run the bot once, or `candor people sync`")
    raise CliError(f"several workspaces here ({', '.join(teams)}): choose one with --team")
