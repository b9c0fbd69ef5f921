"""send slots keep the sender's last sends

When each of a sender's last sends started and when Twilio answered it, so that no second at
Twilio holds more than the send rate, however the sends are held up on their way.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('send_slots') as batch:
        batch.add_column(sa.Column('recent', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('send_slots') as batch:
        batch.drop_column('recent')
