"""outbox, reminders, waitlist

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('send_slots',
    sa.Column('sender', sa.String(length=40), nullable=False),
    sa.Column('next_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sender', name=op.f('pk_send_slots'))
    )
    op.create_table('waitlist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('service', sa.String(length=10), nullable=False),
    sa.Column('passport_type', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('hold_id', sa.Integer(), nullable=True),
    sa.Column('offer_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('waiting', 'offered', 'booked', 'expired', 'cancelled')", name=op.f('ck_waitlist_entries_status')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_waitlist_entries_conversation_id_conversations')),
    sa.ForeignKeyConstraint(['hold_id'], ['bookings.id'], name=op.f('fk_waitlist_entries_hold_id_bookings')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_waitlist_entries_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entries'))
    )
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.create_index('ix_waitlist_entries_queue', ['office_id', 'date', 'status', 'id'], unique=False)
        batch_op.create_index('uq_waitlist_entries_waiting', ['office_id', 'date', 'phone'], unique=True, sqlite_where=sa.text("status IN ('waiting', 'offered')"), postgresql_where=sa.text("status IN ('waiting', 'offered')"))

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('booking_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('template', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('delivery', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sent_via', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('error_code', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('error_message', sa.String(length=300), nullable=True))
        batch_op.create_index('ix_messages_outbox', ['delivery', 'next_attempt_at'], unique=False)
        batch_op.create_check_constraint(
            'delivery', "delivery IS NULL OR delivery IN ('pending', 'sending', 'sent', 'failed', 'skipped')")
        batch_op.create_unique_constraint(batch_op.f('uq_messages_dedupe_key'), ['dedupe_key'])
        batch_op.create_foreign_key(batch_op.f('fk_messages_booking_id_bookings'), 'bookings', ['booking_id'], ['id'])

    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_at', sa.String(length=5), server_default='09:00', nullable=False))
        batch_op.add_column(sa.Column('confirm_by', sa.String(length=5), server_default='20:00', nullable=False))
        batch_op.add_column(sa.Column('sms_sender', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('whatsapp_templates', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_column('whatsapp_templates')
        batch_op.drop_column('sms_sender')
        batch_op.drop_column('confirm_by')
        batch_op.drop_column('reminder_at')

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_messages_delivery'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_messages_booking_id_bookings'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_messages_dedupe_key'), type_='unique')
        batch_op.drop_index('ix_messages_outbox')
        batch_op.drop_column('error_message')
        batch_op.drop_column('error_code')
        batch_op.drop_column('sent_at')
        batch_op.drop_column('sent_via')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('delivery')
        batch_op.drop_column('dedupe_key')
        batch_op.drop_column('template')
        batch_op.drop_column('booking_id')
        batch_op.drop_column('kind')

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('reminded_at')

    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_waitlist_entries_waiting', sqlite_where=sa.text("status IN ('waiting', 'offered')"), postgresql_where=sa.text("status IN ('waiting', 'offered')"))
        batch_op.drop_index('ix_waitlist_entries_queue')

    op.drop_table('waitlist_entries')
    op.drop_table('send_slots')
