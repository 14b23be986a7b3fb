"""Code run in separate processes by test_publish_races (importable for spawn): the children
of workers_authoring, where each child, after reading the bank's locked row, waits for the
other to have read it too (`meet_after`): without the lock both read a draft, every time."""

from quizapp.services import authoring
from tests.reliability import workers_authoring
from tests.reliability.processes import meet_after


def submit(uri, locked, barrier, *args) -> None:
    authoring._locked_bank = meet_after(authoring._locked_bank, barrier)
    workers_authoring.submit(uri, locked, barrier, *args)
