"""the source of every version of a module or quiz that a learner took, kept once per hash

Existing attempts and completions have no stored source: a migration cannot recover old
files. Pages read them with today's file when its hash matches, and say so otherwise.

Revision ID: 9c4e1b7d2f60
Revises: f1a7c3e9b2d4
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c4e1b7d2f60'
down_revision = 'f1a7c3e9b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_version',
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum('module', 'quiz', name='itemkind', native_enum=False, length=10), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('kept_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('version', 'kind', 'slug', name=op.f('pk_content_version'))
    )


def downgrade():
    op.drop_table('content_version')
