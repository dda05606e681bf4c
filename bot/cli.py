"""The `candor` command line. `candor --help` and `candor COMMAND --help` describe everything."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from bot import __version__
from bot.settings import ConfigError, Settings, load_settings

log = logging.getLogger("candor")

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A problem the operator can fix; printed without a traceback, exit status 2."""


def printable(value: object) -> str:
    """`value` as text that is safe to print: control characters shown as `\\u001b`-style escapes.

    Names and emails come from Slack, titles from HR's CSV files, details from anyone: printed raw, an escape
    sequence in them would drive the operator's terminal, and a bidirectional override would reorder the line.
    The escapes are also valid inside JSON strings, so JSON output stays JSON.
    """
    from models.people.org import CONTROL_CHARACTERS

    return CONTROL_CHARACTERS.sub(lambda m: f"\\u{ord(m[0]):04x}", str(value))


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "config", None):
        overrides["config"] = args.config
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    return load_settings(**overrides)


def _runtime(args: argparse.Namespace, *, need_slack: bool = False) -> Any:
    """The process objects for a command that uses the database, which must be reachable and migrated."""
    from bot.runtime import Runtime

    settings = _settings(args)
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


# -- the database's state --------------------------------------------------------------------------


def require_parsable_url(settings: Settings) -> None:
    """Raise `CliError` when SQLAlchemy cannot parse DATABASE_URL. Checked before an engine is made: its own
    error is a traceback, and may quote the part of the URL it choked on."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

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
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

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
    from pathlib import Path

    from sqlalchemy.engine import make_url

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
    from alembic.script import ScriptDirectory
    from alembic.script.revision import RevisionError
    from alembic.util.exc import CommandError

    try:
        return ScriptDirectory.from_config(db.alembic_config()).get_revision(revision) is not None
    except (RevisionError, CommandError):
        return False


def _reason(exc: Exception, url: str) -> str:
    """The driver's own first line (no SQL, no link to SQLAlchemy's docs), with the URL's secrets masked."""
    from sqlalchemy.engine import make_url

    from bot.settings import _SECRET_PARAMETER

    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    reason = lines[0].strip() if lines else type(orig).__name__
    parsed = make_url(url)
    secrets = [parsed.password or ""] + [
        value for key, values in parsed.query.items() if _SECRET_PARAMETER.search(key)
        for value in ((values,) if isinstance(values, str) else values)
    ]
    for secret in filter(None, secrets):
        reason = reason.replace(secret, "***")
    return printable(reason)


def _database_error() -> type[Exception]:
    from sqlalchemy.exc import SQLAlchemyError

    return SQLAlchemyError


def _diagnose(args: argparse.Namespace) -> str | None:
    """After a database error: what is wrong with the database, or None when nothing is (a bug, then)."""
    from bot.db import Database

    settings = _settings(args)
    try:
        require_parsable_url(settings)
    except CliError as exc:
        return str(exc)
    db = Database(settings.database_url)
    try:
        shown = printable(settings.masked()["DATABASE_URL"])
        return database_problem(db, shown, upgrading=getattr(args, "handler", None) in (cmd_db_upgrade, cmd_run))
    finally:
        db.dispose()


# -- run -----------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from bot.runtime import Runtime, setup_logging

    overrides: dict[str, Any] = {}
    if args.port is not None:
        overrides["port"] = args.port
    if args.config:
        overrides["config"] = args.config
    settings = load_settings(**overrides)
    settings.require_tokens()
    org = settings.org()
    setup_logging(settings.log_level)
    require_parsable_url(settings)
    rt = Runtime(settings, org, socket_mode=settings.mode == "socket" and not args.http)
    if rt.socket_mode is False and settings.slack_signing_secret is None:
        raise ConfigError(["SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it"])
    check_database(rt.db, settings, upgrading=settings.auto_migrate)
    rt.prepare_database()
    rt.start_background()
    stop = threading.Event()

    def _stop(signum: int, _frame: Any) -> None:
        log.info("signal %s: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        if rt.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            assert settings.slack_app_token is not None
            handler = SocketModeHandler(rt.app, settings.slack_app_token.get_secret_value())
            handler.connect()  # type: ignore[no-untyped-call]
            log.info("Candor is running in Socket Mode (database: %s)", rt.db.engine.dialect.name)
            stop.wait()
            handler.close()  # type: ignore[no-untyped-call]
        else:
            from bot.wsgi import serve

            server = serve(rt, settings.host, settings.port)
            log.info("Candor is listening on http://%s:%s/slack/events", settings.host, server.server_port)
            t = threading.Thread(target=server.serve_forever, daemon=True)
            t.start()
            stop.wait()
            server.shutdown()
    finally:
        rt.stop()
    return 0


# -- db / config ---------------------------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.db import Database

    settings = _settings(args)
    require_parsable_url(settings)
    db = Database(settings.database_url)
    try:
        check_database(db, settings, upgrading=True)
        db.upgrade()
        print(f"database at revision {db.current_revision()} (head)")
    finally:
        db.dispose()
    return 0


def cmd_db_check(args: argparse.Namespace) -> int:
    from alembic.util.exc import AutogenerateDiffsDetected

    from bot.db import Database

    settings = _settings(args)
    require_parsable_url(settings)
    db = Database(settings.database_url)
    try:
        check_database(db, settings)
        db.check()
    except AutogenerateDiffsDetected as exc:
        raise CliError(f"models and migrations differ: {exc}") from None
    finally:
        db.dispose()
    print(f"database at head ({db.head_revision()}); models and migrations agree")
    return 0


def cmd_config_check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    org = settings.org()
    print("Settings (environment):")
    for key, value in settings.masked().items():
        print(f"  {key} = {value}")
    print(f"Mode: {'Socket Mode' if settings.mode == 'socket' else 'HTTP'}")
    try:
        settings.require_tokens()
    except ConfigError as exc:
        for line in exc.problems:
            print(f"  warning: {line}")
    print(f"Organisation ({settings.config or 'built-in defaults'}):")
    for line in org.model_dump_json(indent=2).splitlines():
        print("  " + line)
    print("configuration OK")
    return 0


# -- parser --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="candor", description="Candor: continuous performance management in Slack."
    )
    parser.add_argument("--version", action="version", version=f"candor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--config", help="organisation YAML file (default: $CANDOR_CONFIG)")
        p.add_argument("--database-url", help="database URL (default: $DATABASE_URL)")
        return p

    run = sub.add_parser("run", help="start the bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)")
    run.add_argument("--port", type=int, help="HTTP mode port (default: $CANDOR_PORT or 3000)")
    run.add_argument("--config", help="organisation YAML file (default: $CANDOR_CONFIG)")
    run.add_argument("--http", action="store_true", help="HTTP mode even when SLACK_APP_TOKEN is set")
    run.set_defaults(handler=cmd_run)

    db = sub.add_parser("db", help="database schema")
    dbsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    common(dbsub.add_parser("upgrade", help="apply all migrations")).set_defaults(handler=cmd_db_upgrade)
    common(dbsub.add_parser("check", help="fail if the database or the migrations lag the models")).set_defaults(
        handler=cmd_db_check
    )

    config = sub.add_parser("config", help="configuration")
    csub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    common(csub.add_parser("check", help="validate settings and the YAML; print them with secrets masked")
           ).set_defaults(handler=cmd_config_check)

    from bot import cli_admin

    cli_admin.add_commands(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except ConfigError as exc:
        print("candor: configuration problem:", file=sys.stderr)
        for line in exc.problems:
            print(f"  - {line}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"candor: {exc}", file=sys.stderr)
        return 2
    except _database_error():  # evaluated only when an exception gets here: `--help` needs no SQLAlchemy
        # The database went away, or was never set up, past the checks (`candor run`, a race): say which.
        problem = _diagnose(args)
        if problem is None:
            raise  # the database is fine: a bug, whose traceback is wanted
        print(f"candor: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
