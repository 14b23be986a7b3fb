"""Progress aggregates against hand-computed values, including learner-day boundaries."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from quizapp.domain import scheduling
from quizapp.extensions import db
from quizapp.models import AttemptAnswer, Card, QuizAttempt, Review, User
from quizapp.services import accounts, progress
from quizapp.services.study import card_state, scheduler_settings

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # 15:00 in Minsk


@pytest.fixture
def learner(app, make_user):
    user = make_user()
    with app.app_context():
        accounts.update_settings(user.id, {"timezone": "Europe/Minsk"})
        db.session.commit()
    return user


@pytest.fixture
def questions(make_bank, make_question):
    bank = make_bank(title="Bank A")
    return [make_question(bank, "numeric", key=f"q{n}",
                          tags=["venue"] if n < 2 else ["economy"]) for n in range(4)]


def add_card(user_id, question_id, **fields) -> Card:
    card = Card(user_id=user_id, question_id=question_id, due=fields.pop("due", NOW), **fields)
    db.session.add(card)
    db.session.flush()
    return card


def add_review(card, at, rating, previous_state=2) -> None:
    db.session.add(Review(card_id=card.id, user_id=card.user_id, rating=rating, reviewed_at=at,
                          state_before={}, previous_state=previous_state, origin="flashcard"))


def test_forecast_counts_by_learner_day_with_overdue_today(app, learner, questions):
    with app.app_context():
        # Minsk is UTC+3: today runs 01:00 UTC (4 am local) to 01:00 UTC tomorrow.
        add_card(learner.id, questions[0].id, state=2, due=NOW - timedelta(days=3))  # overdue
        add_card(learner.id, questions[1].id, state=2, due=datetime(2026, 3, 11, 0, 59,
                                                                     tzinfo=UTC))  # today
        add_card(learner.id, questions[2].id, state=2, due=datetime(2026, 3, 11, 1, 0,
                                                                     tzinfo=UTC))  # tomorrow
        add_card(learner.id, questions[3].id, state=0)  # new: not forecast
        db.session.commit()
        forecast = progress.due_forecast(db.session.get(User, learner.id), NOW)
        assert len(forecast) == 30
        assert forecast[:3] == [2, 1, 0] and sum(forecast) == 3


def test_history_streak_and_retention(app, learner, questions):
    with app.app_context():
        card = add_card(learner.id, questions[0].id, state=2, stability=10.0, last_review=NOW,
                        due=NOW + timedelta(days=10))
        # Reviews at 02:00 UTC (05:00 Minsk) on the last three days: a 3-day streak.
        for back in (0, 1, 2):
            add_review(card, datetime(2026, 3, 10 - back, 2, 0, tzinfo=UTC), 3)
        # 00:30 UTC on 8 March is 03:30 Minsk: it belongs to 7 March's learner day.
        add_review(card, datetime(2026, 3, 8, 0, 30, tzinfo=UTC), 1)
        add_review(card, NOW - timedelta(days=40), 3)
        add_review(card, NOW - timedelta(days=1), 4, previous_state=0)  # new: not retention
        db.session.commit()
        user = db.session.get(User, learner.id)
        history = progress.reviews_per_day(user, NOW)
        assert len(history) == 365
        assert [n for _, n in history[-4:]] == [1, 1, 2, 1]
        dash = progress.dashboard(user, NOW)
        assert dash.streak == 4
        assert dash.retention[7] == (3 / 4, 4)
        assert dash.retention[30] == (3 / 4, 4)
        assert dash.retention[365] == (4 / 5, 5)


def test_retention_windows_count_each_review_once_per_window(app, learner, questions):
    with app.app_context():
        card = add_card(learner.id, questions[0].id, state=2)
        add_review(card, NOW - timedelta(days=2), 3)
        add_review(card, NOW - timedelta(days=10), 1)  # in 30 and 365, not in 7
        add_review(card, NOW - timedelta(days=200), 1)  # in 365 only
        add_review(card, NOW - timedelta(days=400), 3)  # in none
        db.session.commit()
        user = db.session.get(User, learner.id)
        assert progress.retention(user, NOW) == {7: (1.0, 1), 30: (0.5, 2), 365: (1 / 3, 3)}
        assert progress.true_retention(user, NOW, 30) == (0.5, 2)
        assert progress.retention(user, NOW, (1,)) == {1: (None, 0)}


def test_mastery_matches_the_schedulers_retrievability(app, learner, questions):
    with app.app_context():
        cards = [
            add_card(learner.id, questions[0].id, state=2, stability=5.0, difficulty=5.0,
                     last_review=NOW - timedelta(days=5, hours=3)),   # 5 whole days: R = 0.9
            add_card(learner.id, questions[1].id, state=2, stability=5.0, difficulty=5.0,
                     last_review=NOW - timedelta(days=6)),            # R < 0.9
            add_card(learner.id, questions[2].id, state=1, step=0, stability=5.0,
                     difficulty=5.0, last_review=NOW),                # learning: not mastered
            add_card(learner.id, questions[3].id, state=0),
        ]
        db.session.commit()
        user = db.session.get(User, learner.id)
        settings = scheduler_settings(user)
        expected = [c.state == 2 and scheduling.retrievability(card_state(c), NOW, settings)
                    >= 0.9 for c in cards]
        assert expected == [True, False, False, False]
        [bank] = progress.mastery_by_bank(user, NOW)
        assert (bank.cards, bank.mastered) == (4, 1)
        # the bank's topic order (its topics were made in the questions' order)
        assert [(t.key, t.cards, t.mastered) for t in bank.topics] == [("venue", 2, 1),
                                                                        ("economy", 2, 0)]


def test_mastery_lists_each_banks_topics_under_that_bank(app, learner, questions, make_bank,
                                                         make_question):
    other = make_bank(title="Bank B")
    extra = [make_question(other, "numeric", key="b0", tags=["venue"]),
             make_question(other, "numeric", key="b1", tags=["agenda"])]
    with app.app_context():
        for question in [*questions, *extra]:
            add_card(learner.id, question.id, state=0)
        db.session.commit()
        banks = progress.mastery_by_bank(db.session.get(User, learner.id), NOW)
    # each bank's topics in that bank's topic order
    assert [(b.label, b.cards, [(t.key, t.cards) for t in b.topics]) for b in banks] == [
        ("Bank A", 4, [("venue", 2), ("economy", 2)]),
        ("Bank B", 2, [("venue", 1), ("agenda", 1)]),
    ]


def test_card_counts(app, learner, questions, make_question):
    with app.app_context():
        add_card(learner.id, questions[0].id, state=0)
        add_card(learner.id, questions[1].id, state=3, step=0, last_review=NOW)
        add_card(learner.id, questions[2].id, state=2, last_review=NOW,
                 due=NOW + timedelta(days=30))
        add_card(learner.id, questions[3].id, state=2, last_review=NOW,
                 due=NOW + timedelta(days=3), suspended=True)
        db.session.commit()
        counts = progress.card_counts(db.session.get(User, learner.id))
        assert counts == {"new": 1, "learning": 1, "young": 0, "mature": 1, "suspended": 1}


def test_quiz_history_and_weakest_questions(app, learner, questions):
    with app.app_context():
        attempt = QuizAttempt(user_id=learner.id, selection={}, seed=1, mode="test",
                              started_at=NOW, finished_at=NOW, score=0.5)
        db.session.add(attempt)
        db.session.flush()
        revision_of = {q.id: db.session.get(type(q), q.id).revisions[0].id for q in questions}
        for position, (q, score) in enumerate([(questions[0], 0.0), (questions[1], 1.0)]):
            db.session.add(AttemptAnswer(attempt_id=attempt.id, position=position,
                                         question_revision_id=revision_of[q.id], response=None,
                                         score=score, correct=score == 1, answered_at=NOW))
        add_card(learner.id, questions[2].id, state=2, lapses=3, last_review=NOW)
        db.session.commit()
        user = db.session.get(User, learner.id)
        assert progress.quiz_scores(user) == [(NOW, 0.5)]
        weak = progress.weakest_questions(user)
        assert [(w.question_id, w.lapses, w.quiz_score) for w in weak] == [
            (questions[2].id, 3, None), (questions[0].id, 0, 0.0)]


def test_history_days_are_exact_across_a_daylight_saving_change(app, make_user, questions):
    """New York moved to summer time on 8 March 2026 (02:00 -> 03:00)."""
    learner = make_user()
    with app.app_context():
        accounts.update_settings(learner.id, {"timezone": "America/New_York"})
        db.session.commit()
        card = add_card(learner.id, questions[0].id, state=2, last_review=NOW)
        add_review(card, datetime(2026, 3, 8, 7, 30, tzinfo=UTC), 3)  # 03:30 EDT: 7 March
        add_review(card, datetime(2026, 3, 8, 8, 30, tzinfo=UTC), 3)  # 04:30 EDT: 8 March
        add_review(card, datetime(2026, 3, 7, 8, 30, tzinfo=UTC), 3)  # 03:30 EST: 6 March
        add_review(card, datetime(2026, 3, 7, 9, 30, tzinfo=UTC), 3)  # 04:30 EST: 7 March
        db.session.commit()
        history = progress.reviews_per_day(db.session.get(User, learner.id), NOW)
        by_day = {start.astimezone(ZoneInfo("America/New_York")).date().isoformat(): n
                  for start, n in history if n}
        assert by_day == {"2026-03-06": 1, "2026-03-07": 2, "2026-03-08": 1}
