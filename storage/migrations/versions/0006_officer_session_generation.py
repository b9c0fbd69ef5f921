"""officers' session generation

A number in every signed-in session's key, raised at sign-out: signing out ends every session
of that officer.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('officers') as batch:
        batch.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('officers') as batch:
        batch.drop_column('session_generation')
