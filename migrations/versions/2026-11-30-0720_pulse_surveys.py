"""pulse surveys: waves, members and cells, keyed participation, anonymous responses (models/pulse/tables.py)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 07:20:38.565364
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import models.core.base

revision: str = '0013'
down_revision: str | Sequence[str] | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pulse_waves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.String(length=40), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('min_respondents', sa.Integer(), nullable=False),
    sa.Column('questions', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('results_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_pulse_waves_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_waves')),
    sa.UniqueConstraint('team_id', 'survey_id', 'period', name=op.f('uq_pulse_waves_team_id_survey_id_period'))
    )
    with op.batch_alter_table('pulse_waves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_waves_closes_at'), ['closes_at'], unique=False)

    op.create_table('pulse_members',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('cell', sa.String(length=120), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_pulse_members_person_id_people')),
    sa.ForeignKeyConstraint(['wave_id'], ['pulse_waves.id'], name=op.f('fk_pulse_members_wave_id_pulse_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'person_id', name=op.f('pk_pulse_members'))
    )
    with op.batch_alter_table('pulse_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_members_person_id'), ['person_id'], unique=False)

    op.create_table('pulse_participation',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['pulse_waves.id'], name=op.f('fk_pulse_participation_wave_id_pulse_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'key', name=op.f('pk_pulse_participation')),
    sqlite_with_rowid=False
    )
    op.create_table('pulse_responses',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('cell', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['pulse_waves.id'], name=op.f('fk_pulse_responses_wave_id_pulse_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_responses')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('pulse_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_responses_wave_id'), ['wave_id'], unique=False)

    op.create_table('pulse_answers',
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('value', sa.SmallInteger(), nullable=True),
    sa.Column('choice', sa.String(length=75), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['pulse_responses.id'], name=op.f('fk_pulse_answers_response_id_pulse_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', name=op.f('pk_pulse_answers')),
    sqlite_with_rowid=False
    )


def downgrade() -> None:
    op.drop_table('pulse_answers')
    with op.batch_alter_table('pulse_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulse_responses_wave_id'))

    op.drop_table('pulse_responses')
    op.drop_table('pulse_participation')
    with op.batch_alter_table('pulse_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulse_members_person_id'))

    op.drop_table('pulse_members')
    with op.batch_alter_table('pulse_waves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulse_waves_closes_at'))

    op.drop_table('pulse_waves')
