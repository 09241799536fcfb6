"""an outbox message remembers when a worker claimed it, so a dead worker's claim lapses

Revision ID: f1a7c3e9b2d4
Revises: e3b9c4d2a7f1
Create Date: 2026-12-07 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1a7c3e9b2d4'
down_revision = 'e3b9c4d2a7f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
