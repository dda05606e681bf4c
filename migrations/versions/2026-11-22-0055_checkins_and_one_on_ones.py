"""check-ins, 1:1 pairs, meetings, talking points, action items, alerts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 00:51:31.094568
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=sa.Text()))
from sqlalchemy.dialects import postgresql

import models.core.base

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('questions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('mood', sa.Integer(), nullable=True),
    sa.Column('has_blocker', sa.Boolean(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['manager_id'], ['people.id'], name=op.f('fk_checkins_manager_id_people')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_checkins_person_id_people')),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_checkins_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkins')),
    sa.UniqueConstraint('person_id', 'period', name=op.f('uq_checkins_person_id_period'))
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkins_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkins_person_id'), ['person_id'], unique=False)

    op.create_table('one_on_one_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('interval_weeks', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('local_time', sa.String(length=5), nullable=False),
    sa.Column('tz', sa.String(length=64), nullable=False),
    sa.Column('anchor_week', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('ended_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['manager_id'], ['people.id'], name=op.f('fk_one_on_one_pairs_manager_id_people')),
    sa.ForeignKeyConstraint(['report_id'], ['people.id'], name=op.f('fk_one_on_one_pairs_report_id_people')),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_one_on_one_pairs_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_on_one_pairs')),
    sa.UniqueConstraint('manager_id', 'report_id', name=op.f('uq_one_on_one_pairs_manager_id_report_id'))
    )
    with op.batch_alter_table('one_on_one_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_on_one_pairs_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_one_on_one_pairs_report_id'), ['report_id'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('pair_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('resolved_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pair_id'], ['one_on_one_pairs.id'], name=op.f('fk_alerts_pair_id_one_on_one_pairs')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_alerts_person_id_people')),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_alerts_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('team_id', 'kind', 'subject', 'period', name=op.f('uq_alerts_team_id_kind_subject_period'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_person_id'), ['person_id'], unique=False)

    op.create_table('checkin_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_checkin_replies_author_id_people')),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_checkin_replies_checkin_id_checkins'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_replies'))
    )
    with op.batch_alter_table('checkin_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_replies_checkin_id'), ['checkin_id'], unique=False)

    op.create_table('one_on_one_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('scheduled_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('notes_author_id', sa.Integer(), nullable=True),
    sa.Column('held_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notes_author_id'], ['people.id'], name=op.f('fk_one_on_one_meetings_notes_author_id_people')),
    sa.ForeignKeyConstraint(['pair_id'], ['one_on_one_pairs.id'], name=op.f('fk_one_on_one_meetings_pair_id_one_on_one_pairs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_on_one_meetings')),
    sa.UniqueConstraint('pair_id', 'period', name=op.f('uq_one_on_one_meetings_pair_id_period'))
    )
    with op.batch_alter_table('one_on_one_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_on_one_meetings_pair_id'), ['pair_id'], unique=False)

    op.create_table('action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('done_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['done_by_id'], ['people.id'], name=op.f('fk_action_items_done_by_id_people')),
    sa.ForeignKeyConstraint(['meeting_id'], ['one_on_one_meetings.id'], name=op.f('fk_action_items_meeting_id_one_on_one_meetings')),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_action_items_owner_id_people')),
    sa.ForeignKeyConstraint(['pair_id'], ['one_on_one_pairs.id'], name=op.f('fk_action_items_pair_id_one_on_one_pairs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_items'))
    )
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_items_pair_id'), ['pair_id'], unique=False)

    op.create_table('talking_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_talking_points_author_id_people')),
    sa.ForeignKeyConstraint(['meeting_id'], ['one_on_one_meetings.id'], name=op.f('fk_talking_points_meeting_id_one_on_one_meetings')),
    sa.ForeignKeyConstraint(['pair_id'], ['one_on_one_pairs.id'], name=op.f('fk_talking_points_pair_id_one_on_one_pairs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_talking_points'))
    )
    with op.batch_alter_table('talking_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talking_points_pair_id'), ['pair_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('talking_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_talking_points_pair_id'))

    op.drop_table('talking_points')
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_items_pair_id'))

    op.drop_table('action_items')
    with op.batch_alter_table('one_on_one_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_on_one_meetings_pair_id'))

    op.drop_table('one_on_one_meetings')
    with op.batch_alter_table('checkin_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_replies_checkin_id'))

    op.drop_table('checkin_replies')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_person_id'))

    op.drop_table('alerts')
    with op.batch_alter_table('one_on_one_pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_on_one_pairs_report_id'))
        batch_op.drop_index(batch_op.f('ix_one_on_one_pairs_manager_id'))

    op.drop_table('one_on_one_pairs')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkins_person_id'))
        batch_op.drop_index(batch_op.f('ix_checkins_manager_id'))

    op.drop_table('checkins')
