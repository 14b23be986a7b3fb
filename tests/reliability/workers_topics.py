"""Code run in separate processes by test_topic_races (importable for spawn): the children of
workers_authoring, where each child, after the topics service has checked that the label is
free, waits for the other child to have checked too (`meet_after`): without the lock both
check before either writes, every time."""

from quizapp.services import topics
from tests.reliability import workers_authoring
from tests.reliability.processes import meet_after


def submit(uri, locked, barrier, *args) -> None:
    topics._label_taken = meet_after(topics._label_taken, barrier)
    workers_authoring.submit(uri, locked, barrier, *args)
