"""anonymous feedback answers: an answer to a request may have no author, only its request (models/feedback/tables.py)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 07:05:48.775001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymous', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('request_id', sa.Integer(), nullable=True))
        batch_op.alter_column('author_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_feedback_request_id'), ['request_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_feedback_request_id_feedback_requests'), 'feedback_requests',
                                    ['request_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint('anonymous_has_no_author', '(author_id IS NULL) = anonymous')



def downgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_feedback_anonymous_has_no_author'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_feedback_request_id_feedback_requests'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_feedback_request_id'))
        batch_op.alter_column('author_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('request_id')
        batch_op.drop_column('anonymous')

