"""Code run in separate processes by test_topic_races (importable for spawn): the children of
workers_authoring, with the topics service's locked read of the bank slowed down too, so that
without the lock both children read the labels before either writes."""

from quizapp.services import topics
from tests.reliability import workers_authoring


def submit(*args) -> None:
    topics._lock_bank = workers_authoring._slowed(topics._lock_bank)
    workers_authoring.submit(*args)
