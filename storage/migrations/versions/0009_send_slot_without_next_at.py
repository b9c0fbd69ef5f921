"""send slots without next_at

The last send's start is the last of `recent` (0008): the column that kept it apart goes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('send_slots') as batch:
        batch.drop_column('next_at')


def downgrade() -> None:
    with op.batch_alter_table('send_slots') as batch:
        batch.add_column(sa.Column('next_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False))
