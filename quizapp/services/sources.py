"""Source articles in the database: loading them and looking paragraphs up."""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp import unit_of_work
from quizapp.domain.articles import Article, parse_article
from quizapp.domain.questions import parse_citation
from quizapp.extensions import db
from quizapp.models import SourceArticle, SourceParagraph


def read_articles(directory: str | Path) -> dict[str, Article]:
    """Every `*.md` article in `directory` except README.md, by file stem."""
    articles = {}
    for path in sorted(Path(directory).glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        articles[path.stem] = parse_article(path.stem, path.read_text(encoding="utf-8"))
    return articles


def load_sources(directory: str | Path) -> list[str]:
    """Store (or replace) each article of `directory`. Returns the slugs loaded."""
    articles = read_articles(directory)  # read and parsed before the write lock
    unit_of_work.write()
    for article in articles.values():
        row = db.session.scalar(
            select(SourceArticle).where(SourceArticle.slug == article.slug).with_for_update()
        )
        if row is None:
            row = SourceArticle(slug=article.slug, title=article.title)
            db.session.add(row)
        row.title = article.title
        row.paragraphs = [
            SourceParagraph(number=p.number, section=p.section, text=p.text)
            for p in article.paragraphs.values()
        ]
    db.session.flush()
    return list(articles)


def get_article(slug: str) -> SourceArticle | None:
    return db.session.scalar(
        select(SourceArticle)
        .where(SourceArticle.slug == slug)
        .options(selectinload(SourceArticle.paragraphs))
    )


def loaded_slugs() -> set[str]:
    return set(db.session.scalars(select(SourceArticle.slug)))


def cited_paragraphs(citations: list[str]) -> list[tuple[str, SourceParagraph]]:
    """The stored paragraphs a question cites (those that are loaded), in citation order."""
    wanted = []
    for citation in citations:
        try:
            wanted.append(parse_citation(citation))
        except ValueError:
            continue
    if not wanted:
        return []
    rows = db.session.execute(
        select(SourceArticle.slug, SourceParagraph)
        .join(SourceParagraph.article)
        .where(SourceArticle.slug.in_({slug for slug, _ in wanted}))
    ).all()
    found = {(slug, p.number): p for slug, p in rows}
    return [(s, found[(s, n)]) for s, n in wanted if (s, n) in found]
