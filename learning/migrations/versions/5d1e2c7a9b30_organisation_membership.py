"""organisation membership: a person's claim is pending until their employer confirms it

Revision ID: 5d1e2c7a9b30
Revises: 03a5f50bfc80
Create Date: 2026-12-01 22:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1e2c7a9b30'
down_revision = '03a5f50bfc80'
branch_labels = None
depends_on = None


def upgrade():
    # Everyone in an organisation today is its staff, so existing memberships are confirmed.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('membership', sa.Enum('pending', 'confirmed', 'ended', name='membership', native_enum=False, create_constraint=False, length=32), nullable=False, server_default='confirmed'))
        batch_op.add_column(sa.Column('membership_changed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('membership', server_default=None)


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('membership_changed_at')
        batch_op.drop_column('membership')
