"""Each type's texts, faces and claims, as a table (no app): what the quiz, the cards and the
source check read from the type modules."""

import pytest

from quizapp.domain.quiz import correct_answer_text, response_text, shown_options
from quizapp.domain.source_check import answer_claims
from quizapp.domain.typein import compare
from quizapp.qtypes import registry

OPTIONS = [{"text": "Minsk", "correct": True}, {"text": "Kyiv", "correct": False},
           {"text": "Riga", "correct": True}]
SNAPSHOTS = {
    "single_choice": {"type": "single_choice", "prompt": "Where?", "options": [
        {"text": "Minsk", "correct": True}, {"text": "Kyiv", "correct": False}]},
    "multiple_choice": {"type": "multiple_choice", "prompt": "Where?", "options": OPTIONS},
    "true_false": {"type": "true_false", "prompt": "Talks were held in Minsk.", "answer": True},
    "short_answer": {"type": "short_answer", "prompt": "Who?", "answers": ["Purgin", "Pushilin"]},
    "numeric": {"type": "numeric", "prompt": "How many?", "value": 5063.0, "tolerance": 10.0,
                "unit": "victims"},
    "ordering": {"type": "ordering", "prompt": "Order", "items": ["First", "Second", "Third"]},
    "matching": {"type": "matching", "prompt": "Match", "pairs": [
        {"left": "A", "right": "1"}, {"left": "B", "right": "2"}]},
    "cloze": {"type": "cloze", "prompt": "In {{1}} on {{2}}.", "gaps": [["Minsk"], ["5", "five"]]},
}

TABLE = [
    # type, response, right answer lines, response lines
    ("single_choice", 1, ["Minsk"], ["Kyiv"]),
    ("multiple_choice", [2, 0], ["Minsk", "Riga"], ["Minsk", "Riga"]),
    ("multiple_choice", [], ["Minsk", "Riga"], ["(none)"]),
    ("true_false", False, ["True"], ["False"]),
    ("short_answer", "purgin", ["Purgin"], ["purgin"]),
    ("numeric", "5,063", ["5,063 victims (± 10)"], ["5,063"]),
    ("ordering", [2, 0, 1], ["1. First", "2. Second", "3. Third"],
     ["1. Third", "2. First", "3. Second"]),
    ("matching", [1, None], ["A → 1", "B → 2"], ["A → 2", "B → (blank)"]),
    ("cloze", ["Minsk", ""], ["Gap 1: Minsk", "Gap 2: 5"], ["Gap 1: Minsk", "Gap 2: (blank)"]),
    ("cloze", None, ["Gap 1: Minsk", "Gap 2: 5"], ["(no answer)"]),
]


def test_the_table_has_every_type():
    assert {row[0] for row in TABLE} == set(registry.TYPES) == set(SNAPSHOTS)


@pytest.mark.parametrize(("kind", "response", "right", "yours"), TABLE)
def test_right_answer_and_response_texts(kind, response, right, yours):
    snapshot = SNAPSHOTS[kind]
    assert correct_answer_text(snapshot) == right
    assert response_text(snapshot, response) == yours


@pytest.mark.parametrize(("kind", "size"), [
    ("single_choice", 2), ("multiple_choice", 3), ("ordering", 3), ("matching", 2),
    ("true_false", 0), ("short_answer", 0), ("numeric", 0), ("cloze", 0)])
def test_shown_options_are_a_permutation_fixed_by_the_seed(kind, size):
    snapshot = SNAPSHOTS[kind]
    shown = shown_options(snapshot, 7, 3)
    assert sorted(shown) == list(range(size))
    assert shown == shown_options(snapshot, 7, 3)
    if kind == "ordering":
        assert all(shown_options(snapshot, seed, 0) != [0, 1, 2] for seed in range(50))


@pytest.mark.parametrize(("kind", "claims"), [
    ("single_choice", [("correct option", ["Minsk"], 0.75)]),
    ("multiple_choice", [("correct option", ["Minsk"], 0.75),
                         ("correct option", ["Riga"], 0.75)]),
    ("true_false", [("true statement", ["Talks were held in Minsk."], 0.6)]),
    ("short_answer", [("accepted answer", ["Purgin", "Pushilin"], 0.75)]),
    ("numeric", []),
    ("ordering", [("item", ["First"], 0.75), ("item", ["Second"], 0.75),
                  ("item", ["Third"], 0.75)]),
    ("matching", [("left", ["A"], 0.75), ("right", ["1"], 0.75), ("left", ["B"], 0.75),
                  ("right", ["2"], 0.75)]),
    ("cloze", [("gap 1", ["Minsk"], 0.75), ("gap 2", ["5", "five"], 0.75)]),
])
def test_source_check_claims(kind, claims):
    assert answer_claims(SNAPSHOTS[kind]) == claims


def test_a_false_statement_claims_nothing_and_numbers_claim_their_value():
    assert answer_claims({**SNAPSHOTS["true_false"], "answer": False}) == []
    assert registry.get("numeric").claimed_values(SNAPSHOTS["numeric"]) == [(5063.0, 10.0)]
    assert all(registry.get(k).claimed_values(s) == [] for k, s in SNAPSHOTS.items()
               if k != "numeric")


def test_type_in_is_declared_by_the_types():
    assert {k for k, t in registry.TYPES.items() if t.type_in} == {"short_answer", "numeric"}
    assert compare(SNAPSHOTS["short_answer"], "Pushilyn").expected_text == "Pushilin"
    assert compare(SNAPSHOTS["numeric"], "5063").exact
    assert compare(SNAPSHOTS["cloze"], "Minsk") is None


@pytest.mark.parametrize(("kind", "options"), [
    ("matching", ["A", "B"]), ("true_false", []), ("cloze", []), ("numeric", [])])
def test_card_options(kind, options):
    assert registry.get(kind).card_options(SNAPSHOTS[kind], 0) == options


def test_choice_and_ordering_cards_list_every_option_in_a_seeded_order():
    for kind, key in (("multiple_choice", "options"), ("ordering", "items")):
        shown = registry.get(kind).card_options(SNAPSHOTS[kind], 4)
        texts = [o["text"] if isinstance(o, dict) else o for o in SNAPSHOTS[kind][key]]
        assert sorted(shown) == sorted(texts)


def test_only_the_gap_type_puts_its_inputs_in_the_prompt():
    assert [k for k, t in registry.TYPES.items() if t.inline_inputs] == ["cloze"]
