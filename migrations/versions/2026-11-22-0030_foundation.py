"""foundation: workspaces, people, kudos, outbox, inbound events

Revision ID: 0001
Revises:
Create Date: 2026-11-22 00:33:01.399067
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import models.core.base

revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inbound_events',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('received_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_inbound_events'))
    )
    op.create_table('workspaces',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('team_id', name=op.f('pk_workspaces'))
    )
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('real_name', sa.String(length=200), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('tz', sa.String(length=64), nullable=True),
    sa.Column('locale', sa.String(length=16), nullable=True),
    sa.Column('is_bot', sa.Boolean(), nullable=False),
    sa.Column('is_deleted', sa.Boolean(), nullable=False),
    sa.Column('dm_channel_id', sa.String(length=32), nullable=True),
    sa.Column('synced_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('is_hr_admin', sa.Boolean(), nullable=False),
    sa.Column('paused_until', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('erased_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['manager_id'], ['people.id'],
        name=op.f('fk_people_manager_id_people')),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'],
        name=op.f('fk_people_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('team_id', 'slack_user_id', name=op.f('uq_people_team_id_slack_user_id'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_people_manager_id'), ['manager_id'], unique=False)

    op.create_table('kudos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('giver_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('origin_channel_id', sa.String(length=32), nullable=True),
    sa.Column('permalink', sa.String(length=500), nullable=True),
    sa.Column('source_key', sa.String(length=255), nullable=False),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['giver_id'], ['people.id'],
        name=op.f('fk_kudos_giver_id_people')),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'],
        name=op.f('fk_kudos_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kudos')),
    sa.UniqueConstraint('team_id', 'source_key', name=op.f('uq_kudos_team_id_source_key'))
    )
    with op.batch_alter_table('kudos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kudos_giver_id'), ['giver_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('dedupe_key', sa.String(length=255), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('not_before', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_until', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('uncertain', sa.Boolean(), nullable=False),
    sa.Column('sent_ts', sa.String(length=32), nullable=True),
    sa.Column('sent_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('updated_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'dead', 'skipped')", name=op.f('ck_outbox_state')),
    sa.ForeignKeyConstraint(['recipient_id'], ['people.id'],
        name=op.f('fk_outbox_recipient_id_people')),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'],
        name=op.f('fk_outbox_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['state', 'not_before'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_recipient_id'), ['recipient_id'], unique=False)

    op.create_table('kudos_recipients',
    sa.Column('kudos_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['kudos_id'], ['kudos.id'],
        name=op.f('fk_kudos_recipients_kudos_id_kudos'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'],
        name=op.f('fk_kudos_recipients_person_id_people')),
    sa.PrimaryKeyConstraint('kudos_id', 'person_id', name=op.f('pk_kudos_recipients'))
    )
    with op.batch_alter_table('kudos_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kudos_recipients_person_id'), ['person_id'], unique=False)

    op.create_table('kudos_values',
    sa.Column('kudos_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['kudos_id'], ['kudos.id'],
        name=op.f('fk_kudos_values_kudos_id_kudos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('kudos_id', 'value', name=op.f('pk_kudos_values'))
    )


def downgrade() -> None:
    op.drop_table('kudos_values')
    with op.batch_alter_table('kudos_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kudos_recipients_person_id'))

    op.drop_table('kudos_recipients')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_recipient_id'))
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox')
    with op.batch_alter_table('kudos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kudos_giver_id'))

    op.drop_table('kudos')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_manager_id'))
        batch_op.drop_index(batch_op.f('ix_people_email'))

    op.drop_table('people')
    op.drop_table('workspaces')
    op.drop_table('inbound_events')
