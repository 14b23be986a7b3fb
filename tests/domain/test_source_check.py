"""The source check finds planted wrong numbers, names and dates, and copied sentences."""

import pytest

from quizapp.domain.source_check import check_bank, dates_in, unsupported

ARTICLES = {
    "demo": {
        1: "Late on 29 July the president phoned Alexander Lukashenka about the talks.",
        2: "Out of 5,063 victims identified in 2002–2014, 4,463 suffered sexual exploitation "
           "and three had their organs removed.",
        3: "On 30 July 2010, the UNGA adopted the Global Plan of Action to Combat Trafficking.",
        4: "The talks brought together Leonid Kuchma and Mikhail Zurabov near Minsk.",
        5: "The US Department of State estimates the total number of victims at 27 million.",
    }
}


def q(qtype: str, source: str, **answer) -> dict:
    return {"key": f"k-{qtype}", "type": qtype, "prompt": "Question?", "explanation": "Why.",
            "source": [source], "tags": ["venue"], **answer}


GOOD = [
    q("numeric", "demo#2", value=5063, tolerance=0),
    q("numeric", "demo#2", value=3),
    q("numeric", "demo#5", value=27000000),
    q("single_choice", "demo#4", options=[{"text": "Leonid Kuchma", "correct": True},
                                          {"text": "Someone Else", "correct": False}]),
    q("short_answer", "demo#3", answers=["Global Plan of Action"]),
    q("short_answer", "demo#3", answers=["30 July 2010"]),
    q("short_answer", "demo#3", answers=["2010-07-30"]),
    q("cloze", "demo#2", gaps=[["5 063", "five thousand"]]),
    q("matching", "demo#4", pairs=[{"left": "Kuchma", "right": "Leonid"},
                                   {"left": "Zurabov", "right": "Mikhail"}]),
    q("ordering", "demo#2", items=["4,463 sexual exploitation", "organs removed"]),
    q("true_false", "demo#1", prompt="Lukashenka was phoned late on 29 July.", answer=True),
    q("true_false", "demo#1", prompt="Nobody phoned anyone on 12 May.", answer=False),
]


@pytest.mark.parametrize("question", GOOD, ids=lambda q: q["type"])
def test_supported_answers_pass(question):
    assert check_bank([question], ARTICLES) == []


PLANTED = [
    ("wrong number", q("numeric", "demo#2", value=5036), "5036"),
    ("wrong number in text", q("short_answer", "demo#2", answers=["4,436 victims"]), "4436"),
    ("wrong name", q("single_choice", "demo#4", options=[
        {"text": "Leonid Kravchuk", "correct": True}, {"text": "Leonid Kuchma"}]), "kravchuk"),
    ("wrong date", q("short_answer", "demo#3", answers=["30 June 2010"]), "June"),
    ("wrong day", q("short_answer", "demo#3", answers=["31 July 2010"]), "31"),
    ("wrong year", q("cloze", "demo#3", gaps=[["30 July 2012"]]), "2012"),
    ("wrong iso date", q("short_answer", "demo#3", answers=["2010-07-31"]), "31"),
    ("wrong pair", q("matching", "demo#4", pairs=[{"left": "Kuchma", "right": "Zurabov"},
                                                  {"left": "Purgin", "right": "Minsk"}]),
     "purgin"),
    ("wrong citation", q("numeric", "demo#1", value=5063), "5063"),
    ("missing paragraph", q("numeric", "demo#99", value=1), "does not exist"),
    ("missing article", q("numeric", "other#1", value=1), "not there"),
    ("false statement marked true",
     q("true_false", "demo#4", prompt="Purgin chaired negotiations inside Vienna.", answer=True),
     "true statement"),
]


@pytest.mark.parametrize(("case", "question", "words"), PLANTED, ids=[p[0] for p in PLANTED])
def test_planted_mistakes_are_caught(case, question, words):
    problems = check_bank([question], ARTICLES)
    assert problems, case
    assert words.lower() in str(problems[0]).lower()
    assert str(problems[0]).startswith(question["key"])


def test_ignore_field_silences_answer_check_but_not_citations():
    wrong = q("numeric", "demo#2", value=5036, source_check_ignore="paraphrase")
    assert check_bank([wrong], ARTICLES) == []
    missing = q("numeric", "demo#42", value=1, source_check_ignore="paraphrase")
    assert check_bank([missing], ARTICLES)


def test_copied_sentences_are_flagged_but_names_are_not():
    copied = q("numeric", "demo#2", value=5063)
    copied["explanation"] = (
        "So 4,463 suffered sexual exploitation and three had their organs removed."
    )
    assert "copies" in str(check_bank([copied], ARTICLES)[0])
    named = q("numeric", "demo#3", value=2010)
    named["prompt"] = "When did the UNGA adopt the Global Plan of Action to Combat Trafficking?"
    assert check_bank([named], ARTICLES) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On 30 July 2010, the UNGA", {(30, 7, 2010)}),
        ("in March 2010 in New York", {(None, 3, 2010)}),
        ("on 29 July", {(29, 7, None)}),
        ("July 4, 2001", {(4, 7, 2001)}),
        ("2010-07-30", {(30, 7, 2010)}),
        ("30/07/2010", {(30, 7, 2010)}),
        ("may be 2010", set()),
    ],
)
def test_dates_in(text, expected):
    assert dates_in(text) == expected


def test_unsupported_tolerates_inflection_and_small_typos():
    text = "the sexual exploitation is the most widespread form"
    assert unsupported("sexually exploited", text) == []
    assert unsupported("sexual explotation", text) == []
    assert unsupported("organ removal", text) != []


COPY_SOURCE = {"demo": {1: "Thanks to the wide range of its partners the country has built good "
                            "working ties in many agencies and well beyond them."}}


@pytest.mark.parametrize(("prompt", "how"), [
    ("Thanks to the wide range of its partners the country built ties.", "copies"),
    ("Thanks to the broad range of its partners the country built ties.", "one word changed"),
    ("Thanks to the wide range of all its partners the country built ties.",
     "one word inserted"),
    ("Thanks to the range of its partners the country built ties.", "one word left out"),
])
def test_a_copy_with_one_word_edited_is_still_a_copy(prompt, how):
    question = q("true_false", "demo#1", prompt=prompt, answer=True, source_check_ignore="x")
    problems = check_bank([question], COPY_SOURCE)
    assert problems and "copies" in str(problems[0]) and how in str(problems[0])


@pytest.mark.parametrize("prompt", [
    "Thanks to the wide range of its.",  # seven words: short of a run
    "Its many partners gave the country good working ties in agencies.",  # reworded
    "Thanks to a wide range of partners, the state has good ties.",  # two edits and more
    "Seven shared words, the wide range of its partners, then others follow here.",
])
def test_a_reworded_sentence_is_not_a_copy(prompt):
    question = q("true_false", "demo#1", prompt=prompt, answer=True, source_check_ignore="x")
    assert check_bank([question], COPY_SOURCE) == []


def test_a_cloze_is_read_with_its_gaps_filled():
    cloze = q("cloze", "demo#1", prompt="The country has built good {{1}} ties in many {{2}} "
              "and well beyond them.", gaps=[["working"], ["agencies"]],
              source_check_ignore="x")
    problems = check_bank([cloze], COPY_SOURCE)
    assert problems and "prompt copies" in str(problems[0])
    reworded = {**cloze, "prompt": "Its {{1}} ties reach far outside the {{2}}."}
    assert check_bank([reworded], COPY_SOURCE) == []
