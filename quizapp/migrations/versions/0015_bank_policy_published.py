"""bank.policy (traced or free) and bank.published_at (None: a draft)

The banks that exist already were shown to every learner: they are published as of their
creation, and traced (the only kind there was), so nothing a learner sees changes.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

import quizapp.models.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD/DROP COLUMN (SQLite has both): a batch copy of the table is not needed
    op.add_column("bank", sa.Column("policy", sa.String(length=8), nullable=False,
                                    server_default="traced"))
    op.add_column("bank", sa.Column("published_at", quizapp.models.types.UTCDateTime(),
                                    nullable=True))
    op.execute("UPDATE bank SET published_at = created_at")


def downgrade():
    op.drop_column("bank", "published_at")
    op.drop_column("bank", "policy")
