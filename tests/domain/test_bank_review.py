"""A bank's habits: telling option order, the longest option right, one paragraph
over-asked, paragraphs never cited; and explanations that rely on an uncited paragraph."""

from quizapp.domain.bank_review import MAX_PER_PARAGRAPH, choice_habits, review_bank
from quizapp.domain.source_check import check_bank, paragraph_facts, uncited_facts

ARTICLE = {
    1: "Late on 29 July Poroshenko phoned Lukashenka and asked him to host the talks.",
    2: "The talks were held at Zaslaūje near Minsk on 31 July, with Kuchma and Zurabov.",
    3: "Sergei Surikau, an analyst, said Belarus gained in image from the talks.",
    4: "Moscow and Minsk disagreed on Ukraine; Russia banned some goods from Belarus.",
}
ARTICLES = {"demo": ARTICLE}


def single(key: str, options: list[tuple[str, bool]], source: str = "demo#2") -> dict:
    return {"key": key, "type": "single_choice", "prompt": "Which?", "explanation": "Why.",
            "source": [source], "tags": ["t"],
            "options": [{"text": t, "correct": c} for t, c in options]}


def multiple(key: str, flags: list[bool], source: str = "demo#2") -> dict:
    return {"key": key, "type": "multiple_choice", "prompt": "Which?", "explanation": "Why.",
            "source": [source], "tags": ["t"],
            "options": [{"text": f"option {i}", "correct": c} for i, c in enumerate(flags)]}


def cited_everywhere() -> list[dict]:
    return [single(f"c{n}", [("A", False), ("B", True)], f"demo#{n}") for n in ARTICLE]


def messages(snapshots: list[dict]) -> list[str]:
    return [p.message for p in review_bank(snapshots, ARTICLES, ["demo"])]


def test_a_bank_without_habits_passes():
    bank = cited_everywhere() + [
        single("a", [("Kuchma", False), ("Zurabov", True), ("Poroshenko", False)]),
        multiple("m", [False, True, True]),
    ]
    assert messages(bank) == []


def test_the_right_option_always_first_is_a_habit():
    bank = [single(f"s{i}", [("Zurabov", True), ("Kuchma", False), ("Surikau", False)],
                   f"demo#{i % 4 + 1}") for i in range(6)]
    assert choice_habits(bank).key_first == 6
    assert messages(bank) == ["the right option comes first in 6 of 6 single-choice questions"]
    # the same bank with a third of the keys first (two of six) passes
    for question in bank[2:]:
        question["options"].reverse()
    assert messages(bank) == []


def test_the_longest_option_right_is_a_habit():
    key = ("Zaslaūje, Lukashenka's residence near Minsk", True)
    bank = [single(f"s{i}", [("Kyiv", False), key, ("Vienna", False)], f"demo#{i % 4 + 1}")
            for i in range(4)]
    assert messages(bank) == ["the right option is the longest in 4 of 4 single-choice "
                              "questions"]
    for question in bank[1:]:
        question["options"][1]["text"] = "Minsk"  # shorter than "Vienna"
    assert messages(bank) == []  # one of four
    tied = [single(f"s{i}", [("Kyiv", False), ("Oslo", True)], f"demo#{i % 4 + 1}")
            for i in range(4)]
    assert choice_habits(tied).key_longest == 0  # as long as another option is not longest


def test_right_options_listed_before_wrong_ones_is_a_habit():
    bank = cited_everywhere() + [multiple(f"m{i}", [True, True, False]) for i in range(3)]
    assert messages(bank) == ["every right option comes before every wrong one in 3 of 3 "
                              "multiple-choice questions"]
    bank[-1]["options"].reverse()
    bank[-2]["options"].reverse()
    assert messages(bank) == []
    # all right: no order can tell anything, so it is not counted
    assert choice_habits([multiple("all", [True, True])]).multiple == 0


def test_one_paragraph_over_asked_and_paragraphs_never_cited():
    bank = [single(f"s{i}", [("A", False), ("B", True)], "demo#2")
            for i in range(MAX_PER_PARAGRAPH + 1)]
    assert messages(bank) == [
        f"{MAX_PER_PARAGRAPH + 1} questions are mainly about demo#2 (at most "
        f"{MAX_PER_PARAGRAPH})",
        "no question cites demo#1, demo#3, demo#4"]
    # a second citation is not the question's main paragraph, but it is a citation
    bank[0]["source"] = ["demo#2", "demo#1"]
    bank[1]["source"] = ["demo#3", "demo#4"]
    assert messages(bank) == []


def test_explanation_naming_an_uncited_paragraph_is_a_problem():
    facts = paragraph_facts(ARTICLE)
    said = "Zurabov came; Surikau, who was not there, praised the image gain."
    assert uncited_facts(said, [2], facts) == {(3,): ["Surikau"]}
    assert uncited_facts(said, [2, 3], facts) == {}
    # numbers too, and a capital standing for its country is found where the country is
    assert uncited_facts("It came on 29 July, two days before.", [2], facts) == {(1,): ["29"]}
    assert uncited_facts("Moscow's ban hit Minsk.", [4], facts) == {}
    # a word opening a sentence is no name; a name in every paragraph is no one's fact
    assert uncited_facts("Late talks. The talks mattered.", [3], facts) == {}


def test_the_source_check_reports_the_uncited_paragraph():
    question = single("who", [("Zurabov", True), ("Surikau", False)])
    question["explanation"] = "Zurabov attended; Surikau only commented afterwards."
    problems = check_bank([question], ARTICLES)
    assert [p.message for p in problems] == [
        "explanation names 'Surikau', from demo#3, not cited"]
    question["source"] = ["demo#2", "demo#3"]
    assert check_bank([question], ARTICLES) == []
