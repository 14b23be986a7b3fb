"""Item statistics against hand-computed facility, discrimination and lapse rate."""

import pytest

from quizapp.domain.statistics import pearson_from_sums
from quizapp.extensions import db
from quizapp.models import AttemptAnswer, Bank, Card, QuizAttempt, Review
from quizapp.services import class_stats
from tests.conftest import NOW


@pytest.fixture
def bank_with_answers(app, make_user, make_bank, make_question):
    """Three learners answer questions A, B, C:
        scores   A    B    C
        u1       1    1    0
        u2       1    0    1
        u3       0    0    1
    """
    bank = make_bank()
    qs = [make_question(bank, "true_false", key=k) for k in "abc"]
    users = [make_user() for _ in range(3)]
    table = [(1, 1, 0), (1, 0, 1), (0, 0, 1)]
    with app.app_context():
        revisions = [db.session.get(type(q), q.id).revisions[0].id for q in qs]
        for user, scores in zip(users, table, strict=True):
            attempt = QuizAttempt(user_id=user.id, selection={}, seed=1, mode="test",
                                  started_at=NOW, finished_at=NOW, score=sum(scores) / 3)
            db.session.add(attempt)
            db.session.flush()
            for position, (revision_id, score) in enumerate(zip(revisions, scores, strict=True)):
                db.session.add(AttemptAnswer(attempt_id=attempt.id, position=position,
                                             question_revision_id=revision_id, response=True,
                                             score=score, correct=bool(score), answered_at=NOW))
        card = Card(user_id=users[0].id, question_id=qs[0].id, due=NOW, state=2)
        db.session.add(card)
        db.session.flush()
        for rating in (1, 3, 3, 1):
            db.session.add(Review(card_id=card.id, user_id=users[0].id, rating=rating,
                                  reviewed_at=NOW, state_before={}, previous_state=2))
        db.session.commit()
    return bank


def test_question_statistics(app, bank_with_answers):
    with app.app_context():
        rows = class_stats.question_stats(db.session.get(Bank, bank_with_answers.id))
    a, b, c = rows
    assert [r.attempts for r in rows] == [3, 3, 3]
    assert a.facility == pytest.approx(2 / 3) and c.facility == pytest.approx(2 / 3)
    # A against rest-of-test (B+C): x = 1,1,0 and y = 1,1,1 -> no spread in y: undefined.
    assert a.discrimination is None
    # B: x = 1,0,0; rest (A+C) y = 1,2,1 -> r = -0.5
    assert b.discrimination == pytest.approx(-0.5)
    # C: x = 0,1,1; rest (A+B) y = 2,1,0 -> r = -0.866
    assert c.discrimination == pytest.approx(-(3 ** 0.5) / 2)
    assert a.lapse_rate == pytest.approx(0.5) and b.lapse_rate is None


def test_pearson_from_sums_matches_the_textbook():
    xs, ys = [1, 0, 0, 1, 1], [2, 1, 1, 3, 2]
    n = len(xs)
    r = pearson_from_sums(n, sum(xs), sum(ys), sum(x * y for x, y in zip(xs, ys, strict=True)),
                          sum(x * x for x in xs), sum(y * y for y in ys))
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    expected = cov / (sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys)) ** 0.5
    assert r == pytest.approx(expected)


def test_learners_who_only_took_quizzes_are_in_the_learner_table(app, bank_with_answers):
    with app.app_context():
        rows = class_stats.learners(db.session.get(Bank, bank_with_answers.id), NOW)
    assert len(rows) == 3  # nobody enrolled: all three only took quizzes
    assert sorted(r.quiz_answers for r in rows) == [3, 3, 3]
    assert sorted(round(r.quiz_mean, 3) for r in rows) == [0.333, 0.667, 0.667]


def test_the_class_view_shows_cloze_gaps_as_blanks(app, make_bank, make_question):
    bank = make_bank()
    make_question(bank, "cloze", key="gap", prompt="They freed {{1}} detainees each.")
    with app.app_context():
        [row] = class_stats.question_stats(db.session.get(Bank, bank.id))
    assert row.prompt == "They freed ___ detainees each."
