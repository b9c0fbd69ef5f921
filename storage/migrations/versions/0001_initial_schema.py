"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('offices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('hotline', sa.String(length=20), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('days', sa.String(length=40), nullable=False),
    sa.Column('book_ahead_days', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offices')),
    sa.UniqueConstraint('code', name=op.f('uq_offices_code')),
    sa.UniqueConstraint('hotline', name=op.f('uq_offices_hotline'))
    )
    op.create_table('closed_dates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_closed_dates_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closed_dates')),
    sa.UniqueConstraint('office_id', 'date', name=op.f('uq_closed_dates_office_id_date'))
    )
    op.create_table('conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('profile_name', sa.String(length=100), nullable=True),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('handover', sa.Boolean(), nullable=False),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('last_inbound_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_conversations_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations')),
    sa.UniqueConstraint('office_id', 'phone', name=op.f('uq_conversations_office_id_phone'))
    )
    op.create_table('office_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.String(length=5), nullable=False),
    sa.Column('end', sa.String(length=5), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_office_sessions_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_sessions')),
    sa.UniqueConstraint('office_id', 'start', name=op.f('uq_office_sessions_office_id_start'))
    )
    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('service', sa.String(length=10), nullable=False),
    sa.Column('passport_type', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=True),
    sa.Column('moves_booking_id', sa.Integer(), nullable=True),
    sa.Column('hold_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('booked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('sms', 'whatsapp')", name=op.f('ck_bookings_channel')),
    sa.CheckConstraint("passport_type IN ('ordinary', 'electronic')", name=op.f('ck_bookings_passport_type')),
    sa.CheckConstraint("service IN ('new', 'renewal', 'lost', 'damaged')", name=op.f('ck_bookings_service')),
    sa.CheckConstraint("status IN ('held', 'expired', 'booked', 'confirmed', 'cancelled', 'released', 'checked_in', 'no_show')", name=op.f('ck_bookings_status')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_bookings_conversation_id_conversations')),
    sa.ForeignKeyConstraint(['moves_booking_id'], ['bookings.id'], name=op.f('fk_bookings_moves_booking_id_bookings')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_bookings_office_id_offices')),
    sa.ForeignKeyConstraint(['session_id'], ['office_sessions.id'], name=op.f('fk_bookings_session_id_office_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('code', name=op.f('uq_bookings_code'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_office_date', ['office_id', 'date'], unique=False)
        batch_op.create_index('ix_bookings_phone', ['office_id', 'phone'], unique=False)
        batch_op.create_index('ix_bookings_slot', ['session_id', 'date', 'status'], unique=False)
        batch_op.create_index('uq_bookings_office_nik_active', ['office_id', 'nik'], unique=True, sqlite_where=sa.text("status IN ('held', 'booked', 'confirmed') AND nik IS NOT NULL"), postgresql_where=sa.text("status IN ('held', 'booked', 'confirmed') AND nik IS NOT NULL"))

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('author', sa.String(length=10), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('num_media', sa.Integer(), nullable=False),
    sa.Column('twilio_sid', sa.String(length=64), nullable=True),
    sa.Column('reply_to_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('in', 'out')", name=op.f('ck_messages_direction')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_messages_conversation_id_conversations')),
    sa.ForeignKeyConstraint(['reply_to_id'], ['messages.id'], name=op.f('fk_messages_reply_to_id_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('twilio_sid', name=op.f('uq_messages_twilio_sid'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_conversation', ['conversation_id', 'id'], unique=False)

    op.create_table('session_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['office_sessions.id'], name=op.f('fk_session_days_session_id_office_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_days')),
    sa.UniqueConstraint('session_id', 'date', name=op.f('uq_session_days_session_id_date'))
    )


def downgrade() -> None:
    op.drop_table('session_days')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_conversation')

    op.drop_table('messages')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_bookings_office_nik_active', sqlite_where=sa.text("status IN ('held', 'booked', 'confirmed') AND nik IS NOT NULL"), postgresql_where=sa.text("status IN ('held', 'booked', 'confirmed') AND nik IS NOT NULL"))
        batch_op.drop_index('ix_bookings_slot')
        batch_op.drop_index('ix_bookings_phone')
        batch_op.drop_index('ix_bookings_office_date')

    op.drop_table('bookings')
    op.drop_table('office_sessions')
    op.drop_table('conversations')
    op.drop_table('closed_dates')
    op.drop_table('offices')
    op.drop_table('api_tokens')
