"""topic: each bank owns its topics (slug, label, position); filled for existing banks from
the tags their questions carry, labelled as the app labelled them before (a frozen copy of
the old fixed vocabulary: this migration must not depend on code that changes later)

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The labels of the fixed vocabulary the app had up to revision 0011, in its order.
OLD_LABELS = {
    "venue": "Venue",
    "participants": "Participants",
    "agenda": "Agenda",
    "outcome": "Outcome",
    "balancing": "Lukashenka's balancing",
    "economy": "Economy and trade",
    "implications": "Implications and reactions",
    "global-picture": "Trafficking worldwide",
    "victim-statistics": "Victim statistics",
    "routes": "Origins and destinations",
    "assistance": "Assistance to victims",
    "un-milestones": "UN milestones",
    "international": "Other international milestones",
    "motives": "Motives",
    "people": "People",
}
ORDER = {slug: n for n, slug in enumerate(OLD_LABELS)}


def old_label(slug: str) -> str:
    return OLD_LABELS.get(slug, slug.replace("-", " ").capitalize())


def upgrade():
    op.create_table(
        "topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["bank.id"],
                                name=op.f("fk_topic_bank_id_bank"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic")),
        sa.UniqueConstraint("bank_id", "slug", name=op.f("uq_topic_bank_id")),
    )
    op.create_index(op.f("ix_topic_bank_id"), "topic", ["bank_id"], unique=False)
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT DISTINCT q.bank_id, t.tag FROM question_tag t "
        "JOIN question q ON q.id = t.question_id")).all()
    by_bank: dict[int, list[str]] = {}
    for bank_id, tag in rows:
        by_bank.setdefault(bank_id, []).append(tag)
    values = []
    for bank_id, tags in sorted(by_bank.items()):
        tags.sort(key=lambda t: (ORDER.get(t, len(ORDER)), t))
        values += [{"bank_id": bank_id, "slug": tag, "label": old_label(tag), "position": n}
                   for n, tag in enumerate(tags)]
    if values:
        bind.execute(sa.text("INSERT INTO topic (bank_id, slug, label, position) VALUES "
                             "(:bank_id, :slug, :label, :position)"), values)


def downgrade():
    op.drop_index(op.f("ix_topic_bank_id"), table_name="topic")
    op.drop_table("topic")
