"""The shipped banks: valid, complete, every type used, and backed by their sources."""

import os
from collections import Counter
from pathlib import Path

import pytest

from quizapp.domain.bank_file import parse_bank
from quizapp.domain.bank_review import review_bank
from quizapp.domain.source_check import check_bank
from quizapp.qtypes.registry import SCHEMAS
from quizapp.services.sources import read_articles

ROOT = Path(__file__).resolve().parents[1]
BANKS = sorted((ROOT / "question_bank").glob("*.yaml"))
ARTICLES_DIR = Path(os.environ.get("QUIZAPP_ARTICLES_DIR", ROOT.parent / "shared" / "articles"))


@pytest.fixture(scope="module", params=BANKS, ids=lambda p: p.stem)
def bank(request):
    result = parse_bank(request.param.read_text(encoding="utf-8"), str(request.param))
    assert result.errors == []
    return result


def test_both_banks_exist():
    assert {p.stem for p in BANKS} == {"minsk-talks", "trafficking"}


def test_bank_is_large_and_uses_every_type(bank):
    assert len(bank.questions) >= 70
    types = Counter(q.type for q in bank.questions)
    assert set(types) == set(SCHEMAS)


def test_bank_cites_its_own_article(bank):
    assert all(c.startswith(bank.header.article + "#") for q in bank.questions for c in q.source)


def test_bank_has_a_timeline_and_a_people_matching(bank):
    assert any(q.type == "ordering" and "people" not in q.tags for q in bank.questions)
    assert any({"people", "participants"} & set(q.tags)
               for q in bank.questions if q.type == "matching")


def test_prompts_do_not_contain_the_answer(bank):
    for q in bank.questions:
        if q.type == "short_answer":  # answers worth something (a known wrong one may be)
            right = [a if isinstance(a, str) else a.text for a in q.answers
                     if isinstance(a, str) or a.fraction > 0]
            assert not any(a.casefold() in q.prompt.casefold() for a in right
                           if len(a) > 3), q.key


@pytest.fixture(scope="module")
def articles():
    if not ARTICLES_DIR.is_dir():
        pytest.skip(f"source articles not found at {ARTICLES_DIR}; set QUIZAPP_ARTICLES_DIR")
    return {slug: {n: p.text for n, p in a.paragraphs.items()}
            for slug, a in read_articles(ARTICLES_DIR).items()}


def _snapshots(bank) -> list[dict]:
    return [q.model_dump(mode="json", exclude_none=True) for q in bank.questions]


def test_answers_are_supported_by_the_cited_paragraphs(bank, articles):
    problems = check_bank(_snapshots(bank), articles)
    assert problems == [], "\n".join(map(str, problems))


def test_the_bank_has_no_telling_habits_and_cites_every_paragraph(bank, articles):
    """No telling option order, the key not mostly the longest option, no paragraph
    over-asked, every numbered paragraph of the article cited (domain.bank_review)."""
    problems = review_bank(_snapshots(bank), articles, [bank.header.article])
    assert problems == [], "\n".join(map(str, problems))
