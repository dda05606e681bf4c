"""`alembic upgrade head && alembic check` on a fresh PostgreSQL schema and a fresh SQLite file.

Run by `make test` (and so by CI). Uses the real `alembic` command line with DATABASE_URL, exactly as an
operator would. PostgreSQL: CANDOR_TEST_POSTGRES_URL (default postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
ALEMBIC = str(Path(sys.executable).with_name("alembic"))


def _alembic(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([ALEMBIC, *args], cwd=REPO, env=env, check=True)


def check(url: str, label: str) -> None:
    print(f"migrations on {label}: upgrade head, check, downgrade base, upgrade head", flush=True)
    _alembic(url, "upgrade", "head")
    _alembic(url, "check")
    _alembic(url, "downgrade", "base")
    _alembic(url, "upgrade", "head")


def main() -> int:
    base = os.environ.get("CANDOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = "candor_migrations_check"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        pg = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        check(pg.render_as_string(hide_password=False), "PostgreSQL")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        check(f"sqlite:///{tmp}/candor.db", "SQLite")
    print("migrations OK on PostgreSQL and SQLite")
    return 0


if __name__ == "__main__":
    sys.exit(main())
