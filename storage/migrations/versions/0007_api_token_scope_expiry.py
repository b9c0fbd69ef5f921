"""API tokens: offices, expiry, revocation, last use, phone numbers

A token reads the offices it names (or every office), until it expires or is revoked; the last
time it was used is kept; full phone numbers only for a token made to show them. The tokens
made before get the default expiry from now (90 days), and keep reading every office.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa

from storage.base import UTCDateTime


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('office_codes', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('expires_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('revoked_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('last_used_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('full_phones', sa.Boolean(), server_default=sa.false(), nullable=False))
    tokens = sa.table('api_tokens', sa.column('expires_at', UTCDateTime()))
    expiry = dt.datetime.now(dt.UTC) + dt.timedelta(days=90)
    op.execute(tokens.update().where(tokens.c.expires_at.is_(None)).values(expires_at=expiry))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        for column in ('full_phones', 'last_used_at', 'revoked_at', 'expires_at', 'office_codes'):
            batch.drop_column(column)
