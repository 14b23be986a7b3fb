"""How big the generated data and the runs are: the full benchmark and the smoke mode."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Sizes:
    learners: int
    cards: int
    reviews: int
    generated_questions: int  # the generated bank, loaded through the real bank loader
    scale_bank_questions: int  # per scale bank: the Anki-comparison learners study these
    anki_cards: tuple[int, ...]  # one learner (and one Anki collection) per size
    dashboard_reviews: int
    http_pool: int  # learners the HTTP clients log in as
    load_questions: int  # `bank load` and export of this many questions
    fast_repeats: int
    slow_repeats: int
    http_workers: tuple[int, ...]
    http_clients: tuple[int, ...]
    http_seconds: float
    import_bytes: int  # the CSV imported (as a job) while learners load their dashboard
    dashboard_clients: int  # browsers on the dashboard learner's /progress/ page
    dashboard_load: int  # reviewing clients beside them (the "under review load" row)
    class_learners: int  # the class page: a class of this many learners ...
    class_questions: int  # ... each with a card on every question of its bank

    @property
    def scale_banks(self) -> int:
        return max(self.anki_cards) // self.scale_bank_questions

    def as_dict(self) -> dict:
        return asdict(self)


FULL = Sizes(
    learners=10_000, cards=1_000_000, reviews=5_000_000, generated_questions=2_000,
    scale_bank_questions=10_000, anki_cards=(10_000, 100_000), dashboard_reviews=10_000,
    http_pool=128, load_questions=10_000, fast_repeats=200, slow_repeats=5,
    http_workers=(2, 4), http_clients=(8, 32, 64), http_seconds=10.0,
    import_bytes=2_000_000, dashboard_clients=4, dashboard_load=8,
    class_learners=300, class_questions=500,
)

SMOKE = Sizes(
    learners=50, cards=5_000, reviews=20_000, generated_questions=200,
    scale_bank_questions=500, anki_cards=(500, 1_000), dashboard_reviews=1_000,
    http_pool=4, load_questions=200, fast_repeats=5, slow_repeats=2,
    http_workers=(2,), http_clients=(1, 2), http_seconds=2.0,
    import_bytes=60_000, dashboard_clients=1, dashboard_load=1,
    class_learners=20, class_questions=30,
)
