"""digest posts: the HR digest of each week, for updating it on a re-run (models/core/tables.py)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 07:51:08.445007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import models.core.base

revision: str = '0014'
down_revision: str | Sequence[str] | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('digest_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('sections', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_digest_posts_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_posts')),
    sa.UniqueConstraint('team_id', 'week', name=op.f('uq_digest_posts_team_id_week'))
    )


def downgrade() -> None:
    op.drop_table('digest_posts')
