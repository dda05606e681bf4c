"""goal kudos: which kudos named which goal (models/goals/links.py)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 04:17:13.566012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('goal_kudos',
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('kudos_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_kudos_goal_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kudos_id'], ['kudos.id'], name=op.f('fk_goal_kudos_kudos_id_kudos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('goal_id', 'kudos_id', name=op.f('pk_goal_kudos'))
    )
    with op.batch_alter_table('goal_kudos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_kudos_kudos_id'), ['kudos_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('goal_kudos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_kudos_kudos_id'))

    op.drop_table('goal_kudos')
