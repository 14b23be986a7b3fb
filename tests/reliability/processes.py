"""Child processes of the race tests: started together, their reports collected, and every
one of them ended, whatever happened (a test never leaves a process behind or hangs)."""

import multiprocessing
import queue
import threading
from collections.abc import Sequence
from multiprocessing.process import BaseProcess
from typing import Any

import pytest


def collect(children: Sequence[BaseProcess], results, *, timeout: float) -> list[Any]:
    """Start `children`, then take one report from `results` per child (a failure if one
    does not come within `timeout` seconds), and end them all."""
    for child in children:
        child.start()
    try:
        return [results.get(timeout=timeout) for _ in children]
    except queue.Empty:
        pytest.fail("a racing process did not report")
    finally:
        reap(children)


def reap(children: Sequence[BaseProcess], *, timeout: float = 60) -> None:
    for child in children:
        child.join(timeout=timeout)
        if child.is_alive():
            child.kill()
            child.join()


MEET_SECONDS = 3.0  # how long a racer waits for the others after its read (see meet_after)


def meet_after(function, barrier, *, timeout: float = MEET_SECONDS):
    """`function` (a service's read of the rows it is about to change), made to wait, the
    first time it is called in this process, until every racing process has done the same
    read, or `timeout` seconds.

    Without the protection under test, every racer has then read before any of them writes:
    the race happens every time, whatever the machine's load (a sleep only makes it likely).
    With it, the first racer waits alone (the others are held by its lock before their
    read), the barrier times out and breaks, and every later meeting passes at once: the
    code paths and the wait are the same in both runs."""
    met = False

    def meeting(*args, **kwargs):
        nonlocal met
        found = function(*args, **kwargs)
        if not met:
            met = True
            try:
                barrier.wait(timeout)
            except threading.BrokenBarrierError:
                pass
        return found
    return meeting


def race_forms(submit, uri: str, jobs: list[tuple], *, locked: bool) -> dict[str, tuple]:
    """Run `submit` (workers_authoring.submit or a wrapper of it) once per job (username,
    page, url, form, revision_from_page), each in its own process, all POSTs released
    together; {username: (outcome, page text)}. A child whose set-up failed fails the test."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(jobs)), ctx.Queue()
    children = [ctx.Process(target=submit, args=(uri, locked, barrier, results, *job))
                for job in jobs]
    found = collect(children, results, timeout=300)
    outcomes = {name: (outcome, text) for name, outcome, text in found}
    failed = [f"{name}: {text}" for name, (outcome, text) in outcomes.items()
              if str(outcome).startswith("child failed")]
    assert not failed, failed
    return outcomes
