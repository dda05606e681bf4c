"""feedback: feedback, requests for feedback and the peers they ask (models/feedback/tables.py)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 05:29:57.819706
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))

import models.core.base

revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('feedback_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('competency', sa.String(length=50), nullable=True),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source_key', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['requester_id'], ['people.id'], name=op.f('fk_feedback_requests_requester_id_people')),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_feedback_requests_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_requests')),
    sa.UniqueConstraint('team_id', 'source_key', name=op.f('uq_feedback_requests_team_id_source_key'))
    )
    with op.batch_alter_table('feedback_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_requests_requester_id'), ['requester_id'], unique=False)

    op.create_table('feedback_request_peers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('peer_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('answered_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('declined_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', models.core.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'answered', 'declined')", name=op.f('ck_feedback_request_peers_state')),
    sa.ForeignKeyConstraint(['peer_id'], ['people.id'], name=op.f('fk_feedback_request_peers_peer_id_people')),
    sa.ForeignKeyConstraint(['request_id'], ['feedback_requests.id'], name=op.f('fk_feedback_request_peers_request_id_feedback_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_request_peers')),
    sa.UniqueConstraint('request_id', 'peer_id', name=op.f('uq_feedback_request_peers_request_id_peer_id'))
    )
    with op.batch_alter_table('feedback_request_peers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_request_peers_peer_id'), ['peer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_request_peers_request_id'), ['request_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('competency', sa.String(length=50), nullable=True),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('behaviour', sa.Text(), nullable=False),
    sa.Column('impact', sa.Text(), nullable=False),
    sa.Column('example', sa.Text(), nullable=False),
    sa.Column('visibility', sa.String(length=30), nullable=False),
    sa.Column('permalink', sa.String(length=500), nullable=True),
    sa.Column('request_peer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.core.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source_key', sa.String(length=255), nullable=False),
    sa.CheckConstraint("visibility IN ('recipient', 'recipient_and_manager', 'manager')", name=op.f('ck_feedback_visibility')),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_feedback_author_id_people')),
    sa.ForeignKeyConstraint(['request_peer_id'], ['feedback_request_peers.id'], name=op.f('fk_feedback_request_peer_id_feedback_request_peers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['people.id'], name=op.f('fk_feedback_subject_id_people')),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_feedback_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('team_id', 'source_key', name=op.f('uq_feedback_team_id_source_key'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_request_peer_id'), ['request_peer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_subject_id'), ['subject_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_subject_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_request_peer_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_author_id'))

    op.drop_table('feedback')
    with op.batch_alter_table('feedback_request_peers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_request_peers_request_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_request_peers_peer_id'))

    op.drop_table('feedback_request_peers')
    with op.batch_alter_table('feedback_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_requests_requester_id'))

    op.drop_table('feedback_requests')
