"""bank_source: the sources each bank's questions may cite. Existing banks are linked to the
loaded articles their `article` column names and their questions cite.

Revision ID: 0013
Revises: 0012
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bank_source",
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("source_article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["bank.id"],
                                name=op.f("fk_bank_source_bank_id_bank"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_article_id"], ["source_article.id"],
                                name=op.f("fk_bank_source_source_article_id_source_article"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("bank_id", "source_article_id", name=op.f("pk_bank_source")),
    )
    op.create_index(op.f("ix_bank_source_source_article_id"), "bank_source",
                    ["source_article_id"])
    conn = op.get_bind()
    articles = dict(conn.execute(sa.text("SELECT slug, id FROM source_article")).all())
    wanted: dict[int, list[str]] = {}
    for bank_id, article in conn.execute(sa.text("SELECT id, article FROM bank ORDER BY id")):
        wanted[bank_id] = [article] if article else []
    for bank_id, sources in conn.execute(
        sa.text("SELECT bank_id, sources FROM question ORDER BY bank_id, position, id")
    ):
        if isinstance(sources, str):
            sources = json.loads(sources)
        for citation in sources or []:
            if isinstance(citation, str):
                wanted.setdefault(bank_id, []).append(citation.split("#", 1)[0].strip())
    rows = []
    for bank_id, slugs in wanted.items():
        seen: list[str] = []
        for slug in slugs:
            if slug in articles and slug not in seen:
                seen.append(slug)
        rows += [{"bank_id": bank_id, "source_article_id": articles[slug], "position": n}
                 for n, slug in enumerate(seen)]
    if rows:
        conn.execute(sa.text("INSERT INTO bank_source (bank_id, source_article_id, position) "
                             "VALUES (:bank_id, :source_article_id, :position)"), rows)


def downgrade():
    op.drop_index(op.f("ix_bank_source_source_article_id"), table_name="bank_source")
    op.drop_table("bank_source")
