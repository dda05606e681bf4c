"""feedback rounds: 360 rounds, their reviewers, anonymous answers and ratings (models/feedback/tables.py)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 06:57:12.753053
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import models.core.base

revision: str = '0011'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('feedback_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('competencies', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('framework', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('min_reviewers', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('closes_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source_key', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['started_by_id'], ['people.id'], name=op.f('fk_feedback_rounds_started_by_id_people')),
    sa.ForeignKeyConstraint(['subject_id'], ['people.id'], name=op.f('fk_feedback_rounds_subject_id_people')),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_feedback_rounds_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_rounds')),
    sa.UniqueConstraint('team_id', 'source_key', name=op.f('uq_feedback_rounds_team_id_source_key'))
    )
    with op.batch_alter_table('feedback_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_rounds_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_rounds_started_by_id'), ['started_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_rounds_subject_id'), ['subject_id'], unique=False)

    op.create_table('feedback_round_answers',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('relation', sa.String(length=10), nullable=True),
    sa.Column('strengths', sa.Text(), nullable=False),
    sa.Column('improve', sa.Text(), nullable=False),
    sa.CheckConstraint("relation IS NULL OR relation IN ('manager', 'peer', 'report', 'other')", name=op.f('ck_feedback_round_answers_relation')),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_feedback_round_answers_author_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['feedback_rounds.id'], name=op.f('fk_feedback_round_answers_round_id_feedback_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_round_answers')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('feedback_round_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_round_answers_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_round_answers_round_id'), ['round_id'], unique=False)

    op.create_table('feedback_round_reviewers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.CheckConstraint("relation IN ('manager', 'peer', 'report', 'other')", name=op.f('ck_feedback_round_reviewers_relation')),
    sa.CheckConstraint("state IN ('pending', 'answered', 'declined')", name=op.f('ck_feedback_round_reviewers_state')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['people.id'], name=op.f('fk_feedback_round_reviewers_reviewer_id_people')),
    sa.ForeignKeyConstraint(['round_id'], ['feedback_rounds.id'], name=op.f('fk_feedback_round_reviewers_round_id_feedback_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_round_reviewers')),
    sa.UniqueConstraint('round_id', 'reviewer_id', name=op.f('uq_feedback_round_reviewers_round_id_reviewer_id'))
    )
    with op.batch_alter_table('feedback_round_reviewers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_round_reviewers_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_round_reviewers_round_id'), ['round_id'], unique=False)

    op.create_table('feedback_round_ratings',
    sa.Column('answer_id', sa.String(length=32), nullable=False),
    sa.Column('competency', sa.String(length=50), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('example', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['feedback_round_answers.id'], name=op.f('fk_feedback_round_ratings_answer_id_feedback_round_answers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id', 'competency', name=op.f('pk_feedback_round_ratings')),
    sqlite_with_rowid=False
    )



def downgrade() -> None:
    op.drop_table('feedback_round_ratings')
    with op.batch_alter_table('feedback_round_reviewers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_round_reviewers_round_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_round_reviewers_reviewer_id'))

    op.drop_table('feedback_round_reviewers')
    with op.batch_alter_table('feedback_round_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_round_answers_round_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_round_answers_author_id'))

    op.drop_table('feedback_round_answers')
    with op.batch_alter_table('feedback_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_rounds_subject_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_rounds_started_by_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_rounds_closes_at'))

    op.drop_table('feedback_rounds')
