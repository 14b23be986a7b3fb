"""`flask fsrs optimize` and the settings button fit parameters the scheduler then uses."""

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Card, Question, Review, User
from quizapp.services import study
from tests.conftest import NOW
from tests.domain.test_optimizer import simulate


def seed_history(app, user_id: int) -> int:
    events = simulate(cards=120, days=90, seed=7)
    with app.app_context():
        bank = Bank(slug="sim", title="Simulated", created_at=NOW, published_at=NOW)
        db.session.add(bank)
        db.session.flush()
        card_ids = {}
        for card_key in sorted({e.card_id for e in events}):
            question = Question(bank_id=bank.id, key=f"q{card_key}", type="true_false",
                                prompt="?", data={"answer": True}, sources=["x#1"],
                                tags=["venue"], revision=1, position=card_key)
            db.session.add(question)
            db.session.flush()
            card = Card(user_id=user_id, question_id=question.id, due=NOW)
            db.session.add(card)
            db.session.flush()
            card_ids[card_key] = card.id
        db.session.add_all([
            Review(card_id=card_ids[e.card_id], user_id=user_id, rating=e.rating,
                   reviewed_at=e.reviewed_at, state_before={}, origin="flashcard")
            for e in events
        ])
        db.session.commit()
    return len(events)


def test_cli_fits_and_stores_parameters_the_scheduler_uses(app, runner, make_user):
    learner = make_user("fitme")
    count = seed_history(app, learner.id)
    result = runner.invoke(args=["fsrs", "optimize", "--user", "fitme"])
    assert result.exit_code == 0, result.output
    assert f"Fitted to {count:,} reviews" in result.output
    with app.app_context():
        user = db.session.get(User, learner.id)
        assert len(user.fsrs_parameters) == 21
        assert study.scheduler_settings(user).parameters == tuple(user.fsrs_parameters)


def test_cli_needs_a_target_and_reports_short_histories(runner, make_user):
    make_user("newbie")
    assert runner.invoke(args=["fsrs", "optimize"]).exit_code != 0
    result = runner.invoke(args=["fsrs", "optimize", "--user", "newbie"])
    assert result.exit_code == 1 and "needs at least 400 reviews" in result.output
    assert runner.invoke(args=["fsrs", "optimize", "--user", "ghost"]).exit_code != 0


def test_settings_button_optimises(app, client, auth, make_user):
    learner = make_user("clicker")
    seed_history(app, learner.id)
    auth.login("clicker")
    page = client.post("/study/settings/optimise", follow_redirects=True).data.decode()
    assert "Prediction error (RMSE) went from" in page
    with app.app_context():
        assert db.session.scalar(select(User.fsrs_parameters).where(User.id == learner.id))
