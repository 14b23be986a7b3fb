"""Display orders fixed by an attempt's seed: options, items, right-hand sides."""

import random


def option_order(seed: int, position: int, size: int) -> list[int]:
    """The order options (or items, or right-hand sides) are shown in at `position`."""
    order = list(range(size))
    random.Random(f"{seed}:{position}").shuffle(order)
    return order


def ordering_start(seed: int, position: int, size: int) -> list[int]:
    """A starting order for an ordering question that is never already the answer."""
    order = option_order(seed, position, size)
    if size > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return order
