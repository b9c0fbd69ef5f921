"""office setup version

A token on each office that changes whenever its setup (sessions, closed dates, per-date
capacities, questions, fees) does, so that processes may cache the setup.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offices') as batch:
        batch.add_column(sa.Column('setup_version', sa.String(length=32), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('offices') as batch:
        batch.drop_column('setup_version')
