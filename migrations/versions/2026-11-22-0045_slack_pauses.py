"""slack pauses: a 429 Retry-After window shared by every sender replica

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 00:49:47.695259
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))

import models.core.base

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('slack_pauses',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('method', sa.String(length=64), nullable=False),
    sa.Column('until', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'method', name=op.f('pk_slack_pauses'))
    )


def downgrade() -> None:
    op.drop_table('slack_pauses')
