"""The `candor` command line. `candor --help` and `candor COMMAND --help` describe everything.

One module per group of commands, each with its `add_commands(sub, common)`: `system` (run, db, config),
`operations` (jobs, outbox), `people` (people, org, hr, alerts, audit); `common` holds what they share.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from sqlalchemy.exc import SQLAlchemyError

from bot import __version__
from bot.cli import digest, export, feedback, goals, operations, people, pulse, system
from bot.cli.common import CliError, diagnose
from bot.settings import ConfigError

Handler = Callable[[argparse.Namespace], int]


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

    for group in (system, people, goals, feedback, pulse, digest, export, operations):
        group.add_commands(sub, common)
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
    except SQLAlchemyError:
        # The database went away, or was never set up, past the checks (`candor run`, a race): say which.
        problem = diagnose(args)
        if problem is None:
            raise  # the database is fine: a bug, whose traceback is wanted
        print(f"candor: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
