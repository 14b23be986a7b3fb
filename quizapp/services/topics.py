"""A bank's topics: create, rename, merge and delete them.

Questions carry a topic's stable slug (`Question.tags`, mirrored in question_tag rows), so a
rename changes only the label. A merge moves every question of one topic to another (tags,
question_tag rows and a new revision per changed question). A topic still in use is never
deleted: the message says how many questions use it and to merge instead.

Each writing service declares its write first, then locks the bank row fresh: two renames
or merges of one bank at once run one after the other, and the second sees the first.
Nothing here commits; the request's unit of work does.
"""

import re
from datetime import datetime

from sqlalchemy import func, select

from quizapp import unit_of_work
from quizapp.domain.questions import TOPIC_RE
from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionTag, Topic
from quizapp.services import banks  # banks -> study -> catalogue import this module
from quizapp.services.errors import NotFound, ServiceError

TOPIC_SLUG_RE = TOPIC_RE  # one rule for a topic slug, in the question schema
LABEL_MAX = 120


def slug_for(label: str) -> str:
    """A slug made from a label ("Economy and trade" -> "economy-and-trade")."""
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:64].strip("-")
    return slug or "topic"


def clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise ServiceError("Give the topic a name.", field="label")
    if len(label) > LABEL_MAX:
        raise ServiceError(f"A topic name has at most {LABEL_MAX} characters.", field="label")
    return label


def default_label(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


# --- reads ---------------------------------------------------------------------------------

def bank_topics(bank_id: int) -> list[Topic]:
    return list(db.session.scalars(
        select(Topic).where(Topic.bank_id == bank_id).order_by(Topic.position, Topic.id)))


def labels(bank_id: int) -> dict[str, str]:
    """slug -> label of the bank's topics, in the bank's order."""
    return {t.slug: t.label for t in bank_topics(bank_id)}


def labels_by_bank(bank_ids) -> dict[int, dict[str, str]]:
    """bank id -> {slug: label} of each bank's topics in its order (one query). Two banks
    may label one slug differently: a page that mixes banks picks per bank."""
    out: dict[int, dict[str, str]] = {}
    ids = sorted(set(bank_ids))
    if not ids:
        return out
    for bank_id, slug, label in db.session.execute(
            select(Topic.bank_id, Topic.slug, Topic.label).where(Topic.bank_id.in_(ids))
            .order_by(Topic.bank_id, Topic.position, Topic.id)):
        out.setdefault(bank_id, {})[slug] = label
    return out


def label_of(labels_of_bank: dict[str, str], slug: str) -> str:
    """A slug's label in a bank's labels; a tag without a topic (merged away meanwhile)
    shows its slug made readable."""
    return labels_of_bank.get(slug) or default_label(slug)


def usage(bank_id: int) -> dict[str, int]:
    """slug -> how many live questions of the bank carry it (one query)."""
    rows = db.session.execute(
        select(QuestionTag.tag, func.count())
        .join(Question, Question.id == QuestionTag.question_id)
        .where(Question.bank_id == bank_id, Question.archived.is_(False))
        .group_by(QuestionTag.tag))
    return {tag: count for tag, count in rows}


# --- writes --------------------------------------------------------------------------------

def _lock_bank(bank_id: int) -> Bank:
    bank = db.session.scalar(select(Bank).where(Bank.id == bank_id).with_for_update())
    if bank is None:
        raise NotFound("No such question bank.")
    return bank


def _topic(bank_id: int, topic_id: int) -> Topic:
    topic = db.session.scalar(select(Topic).where(
        Topic.id == topic_id, Topic.bank_id == bank_id).with_for_update())
    if topic is None:
        raise NotFound("No such topic in this bank.")
    return topic


def _label_taken(bank_id: int, label: str, *, other_than: int | None = None) -> bool:
    query = select(Topic.id).where(Topic.bank_id == bank_id,
                                   func.lower(Topic.label) == label.lower())
    if other_than is not None:
        query = query.where(Topic.id != other_than)
    return db.session.scalar(query.limit(1)) is not None


def _next_position(bank_id: int) -> int:
    return (db.session.scalar(
        select(func.max(Topic.position)).where(Topic.bank_id == bank_id)) or 0) + 1


def create_topic(bank_id: int, label: str, slug: str | None = None) -> Topic:
    label = clean_label(label)
    slug = (slug or "").strip() or slug_for(label)
    if not TOPIC_SLUG_RE.match(slug):
        raise ServiceError("A topic's key is lower-case letters, digits and hyphens "
                           "(at most 64, starting with a letter or digit).", field="slug")
    unit_of_work.write()
    _lock_bank(bank_id)
    if _label_taken(bank_id, label):
        raise ServiceError(f"This bank already has a topic named “{label}”.", field="label")
    if db.session.scalar(select(Topic.id).where(Topic.bank_id == bank_id, Topic.slug == slug)):
        raise ServiceError(f"This bank already has a topic with the key “{slug}”.",
                           field="slug")
    topic = Topic(bank_id=bank_id, slug=slug, label=label, position=_next_position(bank_id))
    db.session.add(topic)
    db.session.flush()
    return topic


def ensure_topics(bank_id: int, slugs, labels_by_slug: dict[str, str] | None = None
                  ) -> list[Topic]:
    """Create the topics of `slugs` the bank lacks (bank load, imports, fixtures); the
    caller has declared its write. Returns the topics created."""
    have = set(db.session.scalars(select(Topic.slug).where(Topic.bank_id == bank_id)))
    position = _next_position(bank_id)
    created = []
    for slug in dict.fromkeys(slugs):
        if slug in have:
            continue
        label = (labels_by_slug or {}).get(slug) or default_label(slug)
        created.append(Topic(bank_id=bank_id, slug=slug, label=label, position=position))
        position += 1
        have.add(slug)
    db.session.add_all(created)
    if created:
        db.session.flush()
    return created


def sync_declared(bank_id: int, labels_by_slug: dict[str, str]) -> None:
    """A loaded bank file's topics (slug -> label, in display order) are the bank's: each
    is created or relabelled, and they come first in the file's order (topics the file does
    not declare keep their order after them). The caller has declared its write; nothing is
    written when the bank already matches, so a second load changes nothing."""
    ensure_topics(bank_id, labels_by_slug, labels_by_slug)
    order = {slug: n for n, slug in enumerate(labels_by_slug)}
    ranked = sorted(bank_topics(bank_id),
                    key=lambda t: (order.get(t.slug, len(order)), t.position, t.id))
    for position, topic in enumerate(ranked, start=1):
        label = labels_by_slug.get(topic.slug, topic.label)
        if (topic.label, topic.position) != (label, position):
            topic.label, topic.position = label, position
    db.session.flush()


def rename_topic(bank_id: int, topic_id: int, label: str) -> Topic:
    label = clean_label(label)
    unit_of_work.write()
    _lock_bank(bank_id)
    topic = _topic(bank_id, topic_id)
    if _label_taken(bank_id, label, other_than=topic.id):
        raise ServiceError(f"Another topic of this bank is already named “{label}”; "
                           "merge the two topics instead.", field="label")
    topic.label = label
    db.session.flush()
    return topic


def merge_topics(bank_id: int, from_id: int, into_id: int, *, author_id: int | None,
                 now: datetime) -> int:
    """Move every question of topic `from_id` to `into_id`, then delete `from_id`.
    Returns how many questions changed (each gets a new revision)."""
    if from_id == into_id:
        raise ServiceError("Pick two different topics to merge.", field="into")
    unit_of_work.write()
    _lock_bank(bank_id)
    source = _topic(bank_id, from_id)
    target = _topic(bank_id, into_id)
    questions = db.session.scalars(
        select(Question).join(QuestionTag, QuestionTag.question_id == Question.id)
        .where(Question.bank_id == bank_id, QuestionTag.tag == source.slug)
        .order_by(Question.id).with_for_update(of=Question)).unique().all()
    message = f"topic “{source.label}” merged into “{target.label}”"
    for question in questions:
        tags = [target.slug if t == source.slug else t for t in question.tags]
        question.tags = list(dict.fromkeys(tags))
        question.sync_tag_rows()
        question.revision += 1
        banks.add_revision(question, author_id=author_id, message=message, now=now)
    db.session.delete(source)
    db.session.flush()
    return len(questions)


def delete_topic(bank_id: int, topic_id: int) -> None:
    unit_of_work.write()
    _lock_bank(bank_id)
    topic = _topic(bank_id, topic_id)
    used = db.session.scalar(
        select(func.count()).select_from(QuestionTag)
        .join(Question, Question.id == QuestionTag.question_id)
        .where(Question.bank_id == bank_id, QuestionTag.tag == topic.slug))
    if used:
        noun = "question uses" if used == 1 else "questions use"
        raise ServiceError(f"{used} {noun} the topic “{topic.label}”; merge it into another "
                           "topic instead.")
    db.session.delete(topic)
    db.session.flush()
