"""officers inbox calendar audit

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_address', ['address', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_username', ['username', 'at'], unique=False)

    op.create_table('officers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('officer', 'supervisor', 'admin')", name=op.f('ck_officers_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officers')),
    sa.UniqueConstraint('username', name=op.f('uq_officers_username'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_audit_events_office_id_offices')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_audit_events_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_office_at', ['office_id', 'at'], unique=False)

    op.create_table('canned_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_canned_replies_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_replies'))
    )
    op.create_table('officer_offices',
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_officer_offices_office_id_offices')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_officer_offices_officer_id_officers')),
    sa.PrimaryKeyConstraint('officer_id', 'office_id', name=op.f('pk_officer_offices'))
    )
    op.create_table('conversation_reads',
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('last_message_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_conversation_reads_conversation_id_conversations')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_conversation_reads_officer_id_officers')),
    sa.PrimaryKeyConstraint('officer_id', 'conversation_id', name=op.f('pk_conversation_reads'))
    )
    op.create_table('notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_notes_conversation_id_conversations')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_notes_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notes_conversation_id'), ['conversation_id'], unique=False)

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_officer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('replying_officer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('replying_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_conversations_assigned_officer_id_officers'), 'officers', ['assigned_officer_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_conversations_replying_officer_id_officers'), 'officers', ['replying_officer_id'], ['id'])

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('officer_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_messages_officer_id_officers'), 'officers', ['officer_id'], ['id'])

    with op.batch_alter_table('office_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('only_on', sa.Date(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_office_sessions_office_id_start'), type_='unique')
        batch_op.create_index('uq_office_sessions_daily', ['office_id', 'start'], unique=True, sqlite_where=sa.text('only_on IS NULL'), postgresql_where=sa.text('only_on IS NULL'))
        batch_op.create_index('uq_office_sessions_extra', ['office_id', 'only_on', 'start'], unique=True, sqlite_where=sa.text('only_on IS NOT NULL'), postgresql_where=sa.text('only_on IS NOT NULL'))

    with op.batch_alter_table('session_days', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('session_days', schema=None) as batch_op:
        batch_op.drop_column('capacity')

    with op.batch_alter_table('office_sessions', schema=None) as batch_op:
        batch_op.drop_index('uq_office_sessions_extra', sqlite_where=sa.text('only_on IS NOT NULL'), postgresql_where=sa.text('only_on IS NOT NULL'))
        batch_op.drop_index('uq_office_sessions_daily', sqlite_where=sa.text('only_on IS NULL'), postgresql_where=sa.text('only_on IS NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_office_sessions_office_id_start'), ['office_id', 'start'])
        batch_op.drop_column('only_on')

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_messages_officer_id_officers'), type_='foreignkey')
        batch_op.drop_column('officer_id')

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_conversations_replying_officer_id_officers'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_conversations_assigned_officer_id_officers'), type_='foreignkey')
        batch_op.drop_column('replying_until')
        batch_op.drop_column('replying_officer_id')
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('waiting_since')
        batch_op.drop_column('assigned_officer_id')

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('checked_in_at')

    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notes_conversation_id'))

    op.drop_table('notes')
    op.drop_table('conversation_reads')
    op.drop_table('officer_offices')
    op.drop_table('canned_replies')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_office_at')

    op.drop_table('audit_events')
    op.drop_table('officers')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_username')
        batch_op.drop_index('ix_login_attempts_address')

    op.drop_table('login_attempts')
