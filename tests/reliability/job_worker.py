"""A Huey consumer for the kill test: its apply stops inside the transaction (after the
questions are flushed, before the commit), says so in a file, and waits to be killed."""

import sys
import time
from pathlib import Path

from huey.bin.huey_consumer import consumer_main

from quizapp.services import transfer


def _stall(*args, **kwargs):
    Path(sys.argv.pop()).write_text("inside the apply transaction")
    while True:
        time.sleep(1)


if __name__ == "__main__":
    transfer.study.ensure_cards = _stall  # transfer.apply calls it just before its commit
    consumer_main()
