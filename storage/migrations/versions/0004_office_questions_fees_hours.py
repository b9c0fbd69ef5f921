"""office questions fees hours

The questions an office answers ([[office.faq]]), its fees with their effective dates
([[office.fees]]), its desk hours and its map link.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('office_fees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.String(length=100), nullable=False),
    sa.Column('label_en', sa.String(length=100), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_office_fees_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_fees')),
    sa.UniqueConstraint('office_id', 'key', 'effective', name=op.f('uq_office_fees_office_id_key_effective'))
    )
    op.create_table('office_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('text_id', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_office_questions_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_questions')),
    sa.UniqueConstraint('office_id', 'key', name=op.f('uq_office_questions_office_id_key'))
    )
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('map_url', sa.String(length=500), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_column('map_url')
        batch_op.drop_column('hours')

    op.drop_table('office_questions')
    op.drop_table('office_fees')
