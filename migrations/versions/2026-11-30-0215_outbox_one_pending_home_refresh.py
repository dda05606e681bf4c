"""outbox: at most one pending App Home refresh per person (a unique partial index), so a request asks for
a refresh with a plain INSERT … ON CONFLICT DO NOTHING instead of a SELECT first

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 02:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = "kind = 'home.publish' AND state = 'pending'"


def upgrade() -> None:
    # Two requests could each have added a pending refresh before: keep the newest, skip the others.
    op.execute(
        "UPDATE outbox SET state = 'skipped', last_error = 'merged into a newer Home refresh' "
        f"WHERE {WHERE} AND id NOT IN (SELECT MAX(id) FROM outbox WHERE {WHERE} GROUP BY recipient_id)"
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('uq_outbox_home_pending', ['recipient_id'], unique=True,
                              sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('uq_outbox_home_pending', sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))
