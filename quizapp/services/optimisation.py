"""Fitting FSRS parameters to a learner's own reviews (fsrs-rs via domain.optimizer)."""

from collections.abc import Callable

from sqlalchemy import select

from quizapp import unit_of_work
from quizapp.domain import optimizer
from quizapp.extensions import db
from quizapp.models import Review, User
from quizapp.services.errors import NotFound, ServiceError


def review_events(user_id: int) -> list[optimizer.ReviewEvent]:
    rows = db.session.execute(
        select(Review.card_id, Review.reviewed_at, Review.rating)
        .where(Review.user_id == user_id).order_by(Review.reviewed_at, Review.id)
    )
    return [optimizer.ReviewEvent(card_id, at, rating) for card_id, at, rating in rows]


def optimise_user(user_id: int, progress: Callable[[float], None] | None = None
                  ) -> optimizer.OptimisationResult:
    """Fit, store and return new parameters; raises ServiceError when history is too short.

    The fit (seconds) runs on what was read, before the write begins; the result then
    replaces the parameters on the locked row."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    events = review_events(user_id)
    try:
        result = optimizer.optimise(events, current_parameters=user.fsrs_parameters,
                                    tz=user.setting("timezone"), progress=progress)
    except optimizer.NotEnoughReviews as e:
        raise ServiceError(str(e)) from None
    unit_of_work.write()
    user = db.session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise NotFound("No such user.")
    user.fsrs_parameters = list(result.parameters)
    db.session.flush()
    return result


def learners_with_reviews() -> list[int]:
    return list(db.session.scalars(select(Review.user_id).distinct().order_by(Review.user_id)))
