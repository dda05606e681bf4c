"""goals: goals with their key results and the history of their updates (models/goals/tables.py)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 04:05:12.188311
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import models.core.base

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=True),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('last_update_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('final_score', sa.Float(), nullable=True),
    sa.Column('lessons', sa.Text(), nullable=True),
    sa.Column('closed_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('carried_to_id', sa.Integer(), nullable=True),
    sa.Column('source_key', sa.String(length=255), nullable=False),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("level IN ('organisation', 'department', 'person')", name=op.f('ck_goals_level')),
    sa.CheckConstraint("state IN ('active', 'closed')", name=op.f('ck_goals_state')),
    sa.CheckConstraint("visibility IN ('public', 'private')", name=op.f('ck_goals_visibility')),
    sa.ForeignKeyConstraint(['carried_to_id'], ['goals.id'], name=op.f('fk_goals_carried_to_id_goals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_goals_created_by_id_people')),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_goals_owner_id_people')),
    sa.ForeignKeyConstraint(['parent_id'], ['goals.id'], name=op.f('fk_goals_parent_id_goals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_goals_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals')),
    sa.UniqueConstraint('team_id', 'slug', name=op.f('uq_goals_team_id_slug')),
    sa.UniqueConstraint('team_id', 'source_key', name=op.f('uq_goals_team_id_source_key'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goals_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goals_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_goals_team_period', ['team_id', 'period'], unique=False)

    op.create_table('goal_key_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('start_value', sa.Float(), nullable=False),
    sa.Column('target_value', sa.Float(), nullable=False),
    sa.Column('current_value', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.CheckConstraint("kind IN ('metric', 'milestone')", name=op.f('ck_goal_key_results_kind')),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_key_results_goal_id_goals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_key_results'))
    )
    with op.batch_alter_table('goal_key_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_key_results_goal_id'), ['goal_id'], unique=False)

    op.create_table('goal_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_key', sa.String(length=255), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=True),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('values', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_goal_updates_author_id_people')),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_updates_goal_id_goals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_updates')),
    sa.UniqueConstraint('goal_id', 'source_key', name=op.f('uq_goal_updates_goal_id_source_key'))
    )
    with op.batch_alter_table('goal_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_updates_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_updates_goal_id'), ['goal_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('goal_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_updates_goal_id'))
        batch_op.drop_index(batch_op.f('ix_goal_updates_author_id'))

    op.drop_table('goal_updates')
    with op.batch_alter_table('goal_key_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_key_results_goal_id'))

    op.drop_table('goal_key_results')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index('ix_goals_team_period')
        batch_op.drop_index(batch_op.f('ix_goals_parent_id'))
        batch_op.drop_index(batch_op.f('ix_goals_owner_id'))

    op.drop_table('goals')
