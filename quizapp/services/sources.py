"""Source articles in the database: loading them and looking paragraphs up."""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from quizapp import unit_of_work
from quizapp.domain.articles import Article, ArticleFormatError, parse_article
from quizapp.domain.bank_review import review_bank
from quizapp.domain.questions import parse_citation
from quizapp.domain.source_check import check_bank
from quizapp.domain.source_text import match_paragraphs, slugify, split_text
from quizapp.extensions import db
from quizapp.models import Bank, BankSource, Question, SourceArticle, SourceParagraph
from quizapp.services.banks import add_revision, question_snapshot
from quizapp.services.errors import NotFound, ServiceError


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
        db.session.flush()
        _replace_paragraphs(row, article)
    db.session.flush()
    _link_citing_banks(list(articles))
    return list(articles)


def _link_citing_banks(slugs: list[str]) -> None:
    """Link each article of `slugs` to the banks naming it or citing it (inside a write)."""
    ids = dict(db.session.execute(
        select(SourceArticle.slug, SourceArticle.id).where(SourceArticle.slug.in_(slugs))).all())
    wanted: set[tuple[int, int]] = set()
    for bank_id, article in db.session.execute(
            select(Bank.id, Bank.article).where(Bank.article.in_(slugs))):
        wanted.add((bank_id, ids[article]))
    for bank_id, citations in db.session.execute(select(Question.bank_id, Question.sources)):
        for citation in citations or []:
            slug = str(citation).split("#", 1)[0]
            if slug in ids:
                wanted.add((bank_id, ids[slug]))
    have = set(db.session.execute(select(BankSource.bank_id, BankSource.source_article_id)))
    for bank_id, article_id in sorted(wanted - have):
        db.session.add(BankSource(bank_id=bank_id, source_article_id=article_id,
                                  position=_next_position(bank_id)))
        db.session.flush()


def get_article(slug: str) -> SourceArticle | None:
    return db.session.scalar(
        select(SourceArticle)
        .where(SourceArticle.slug == slug)
        .options(selectinload(SourceArticle.paragraphs))
    )


def loaded_slugs() -> set[str]:
    return set(db.session.scalars(select(SourceArticle.slug)))


def cited_paragraphs(citations: list[str], bank_id: int | None = None
                     ) -> list[tuple[str, SourceParagraph]]:
    """The stored paragraphs a question cites (those that are loaded), in citation order.
    With `bank_id`, citations resolve among that bank's sources only."""
    wanted = []
    for citation in citations:
        try:
            wanted.append(parse_citation(citation))
        except ValueError:
            continue
    if not wanted:
        return []
    query = (select(SourceArticle.slug, SourceParagraph).join(SourceParagraph.article)
             .where(SourceArticle.slug.in_({slug for slug, _ in wanted})))
    if bank_id is not None:
        query = query.where(SourceArticle.id.in_(
            select(BankSource.source_article_id).where(BankSource.bank_id == bank_id)))
    rows = db.session.execute(query).all()
    found = {(slug, p.number): p for slug, p in rows}
    return [(s, found[(s, n)]) for s, n in wanted if (s, n) in found]


# --- sources of a bank, in the browser --------------------------------------------------

def bank_sources(bank_id: int) -> list[SourceArticle]:
    """The bank's sources in their order, with their paragraphs (two statements)."""
    return list(db.session.scalars(
        select(SourceArticle).join(BankSource, BankSource.source_article_id == SourceArticle.id)
        .where(BankSource.bank_id == bank_id).order_by(BankSource.position)
        .options(selectinload(SourceArticle.paragraphs))))


def parse_source(text: str, title: str = "") -> Article:
    """Pasted or uploaded text as numbered paragraphs (before any write). ServiceError."""
    try:
        return split_text("", text, title.strip())
    except ArticleFormatError as error:
        raise ServiceError(f"{error}: separate paragraphs with a blank line.",
                           field="text") from None


def add_source(bank_id: int, article: Article) -> SourceArticle:
    """Store a parsed article as a new source of the bank; its slug comes from its title,
    unique site-wide (-2, -3 ...)."""
    if not article.title:
        raise ServiceError("Give the source a title.", field="title")
    unit_of_work.write()
    bank = db.session.scalar(select(Bank).where(Bank.id == bank_id).with_for_update())
    if bank is None:
        raise NotFound("No such question bank.")
    base = slugify(article.title)
    taken = set(db.session.scalars(select(SourceArticle.slug).where(
        SourceArticle.slug.like(f"{base}%"))))
    row = SourceArticle(slug=slugify(article.title, taken), title=article.title[:300])
    row.paragraphs = _paragraph_rows(article)
    db.session.add(row)
    db.session.flush()
    db.session.add(BankSource(bank_id=bank_id, source_article_id=row.id,
                              position=_next_position(bank_id)))
    db.session.flush()
    return row


@dataclass
class ReplaceReport:
    """What a new version did to the citations of the banks using the source."""

    renumbered: list[tuple[str, str, str]] = field(default_factory=list)  # key, old, new
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # key, old, new
    vanished: list[tuple[str, str]] = field(default_factory=list)  # key, citation


def replace_source(bank_id: int, slug: str, article: Article, *, author_id: int,
                   now: datetime) -> ReplaceReport:
    """Replace the paragraphs of a source of this bank with a new version. Citations whose
    paragraph only moved are renumbered (a new revision saying so); a paragraph matched
    only closely is renumbered and listed as changed; one not found is listed as vanished.
    Everything happens inside one write with the source row locked, so two replaces of one
    source never interleave."""
    unit_of_work.write()
    row, old = _locked_source(slug)
    if row is None or not _is_linked(bank_id, row.id):
        raise NotFound("That source is not one of this bank's sources.")
    new = {p.number: p.text for p in article.paragraphs.values()}
    matches = match_paragraphs(old, new)
    if article.title:
        row.title = article.title[:300]
    _replace_paragraphs(row, article)
    report = ReplaceReport()
    using = select(BankSource.bank_id).where(BankSource.source_article_id == row.id)
    questions = db.session.scalars(
        select(Question).where(Question.bank_id.in_(using)).order_by(Question.bank_id,
                                                                     Question.position)
        .with_for_update().execution_options(populate_existing=True)).all()
    for question in questions:
        citations, moved = [], []
        for citation in question.sources:
            cited_slug, _, number = citation.partition("#")
            match = matches.get(int(number)) if cited_slug == slug and number.isdigit() else None
            if cited_slug != slug or number == "" or not number.isdigit():
                citations.append(citation)
            elif match is None or match.new is None:
                citations.append(citation)
                report.vanished.append((question.key, citation))
            else:
                renamed = f"{slug}#{match.new}"
                citations.append(renamed)
                if not match.exact:
                    report.changed.append((question.key, citation, renamed))
                if renamed != citation:
                    moved.append(f"{citation} -> {renamed}")
                    if match.exact:
                        report.renumbered.append((question.key, citation, renamed))
        if moved:
            question.sources = citations
            question.revision += 1
            add_revision(question, author_id=author_id, now=now,
                         message=f"Citations renumbered: a new version of {slug} "
                                 f"({', '.join(moved)}).")
    db.session.flush()
    return report


@dataclass(frozen=True)
class CheckSummary:
    checked: int
    passing: int
    failing: list[tuple[str, list[str]]]  # (question key, problems)
    habits: list[str] = field(default_factory=list)  # the bank as a whole (bank_review)

    @property
    def percent(self) -> int:
        return 100 if not self.checked else int(100 * self.passing / self.checked)


def _articles(bank_id: int) -> dict[str, dict[int, str]]:
    return {a.slug: {p.number: p.text for p in a.paragraphs} for a in bank_sources(bank_id)}


def failing_checks(bank_id: int, snapshots: list[dict]) -> list[tuple[str, list[str]]]:
    """(key, problems) of each question snapshot that fails the source check against the
    bank's own sources (domain.source_check), in the snapshots' order."""
    return _failing(snapshots, _articles(bank_id))


def _failing(snapshots: list[dict], articles: dict[str, dict[int, str]]
             ) -> list[tuple[str, list[str]]]:
    by_key: dict[str, list[str]] = {}
    for problem in check_bank(snapshots, articles):
        by_key.setdefault(problem.key, []).append(problem.message)
    return [(s["key"], by_key[s["key"]]) for s in snapshots if s["key"] in by_key]


def check_summary(bank: Bank, *, habits: bool = False) -> CheckSummary:
    """The bank's questions checked against the bank's own sources; with `habits`, also
    the bank read as a whole (domain.bank_review: telling option order, over-asked or
    uncited paragraphs of its sources)."""
    questions = db.session.scalars(select(Question).where(
        Question.bank_id == bank.id, Question.archived.is_(False))
        .order_by(Question.position)).all()
    snapshots = [question_snapshot(q) for q in questions]
    articles = _articles(bank.id)  # read once for both checks
    failing = _failing(snapshots, articles)
    found = ([p.message for p in review_bank(snapshots, articles, list(articles))]
             if habits else [])
    return CheckSummary(len(snapshots), len(snapshots) - len(failing), failing, found)


def _paragraph_rows(article: Article) -> list[SourceParagraph]:
    return [SourceParagraph(number=p.number, section=p.section[:300], text=p.text)
            for p in article.paragraphs.values()]


def _locked_source(slug: str) -> tuple[SourceArticle | None, dict[int, str]]:
    """The source row, locked and fresh, and its current paragraphs' text by number."""
    row = db.session.scalar(
        select(SourceArticle).where(SourceArticle.slug == slug).with_for_update()
        .execution_options(populate_existing=True))
    if row is None:
        return None, {}
    return row, {p.number: p.text for p in db.session.scalars(
        select(SourceParagraph).where(SourceParagraph.article_id == row.id))}


def _replace_paragraphs(row: SourceArticle, article: Article) -> None:
    """The old paragraphs deleted first (the unit of work would insert before deleting)."""
    db.session.execute(SourceParagraph.__table__.delete().where(
        SourceParagraph.article_id == row.id))
    db.session.expire(row, ["paragraphs"])
    for p in _paragraph_rows(article):
        p.article_id = row.id
        db.session.add(p)


def _is_linked(bank_id: int, article_id: int) -> bool:
    return db.session.scalar(select(BankSource.bank_id).where(
        BankSource.bank_id == bank_id, BankSource.source_article_id == article_id)) is not None


def _next_position(bank_id: int) -> int:
    last = db.session.scalar(select(func.max(BankSource.position)).where(
        BankSource.bank_id == bank_id))
    return 0 if last is None else last + 1
