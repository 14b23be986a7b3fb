"""Child processes of the race tests: started together, their reports collected, and every
one of them ended, whatever happened (a test never leaves a process behind or hangs)."""

import queue
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
