"""Right answers as careful learners write them are graded right, and what a grader must
refuse stays refused: table tests of both for numbers, short answers and cloze gaps."""

import pytest

from quizapp.domain.grading import InvalidResponse, grade
from quizapp.domain.numbers import parse_number, readings, written
from quizapp.qtypes.numeric import shown_value

SURPLUS = {"value": 2, "tolerance": 0, "unit": "US dollars", "scale": "billion"}
VICTIMS = {"value": 5063, "tolerance": 0, "unit": "victims"}
SHARE = {"value": 94.9, "tolerance": 0, "unit": "percent"}
WORLD = {"value": 27e6, "tolerance": 0, "unit": "victims"}
METRES = {"value": 5, "tolerance": 0, "unit": "m"}
DAY = {"value": 29, "tolerance": 0, "unit": "July"}
YEAR = {"value": 2000, "tolerance": 0, "unit": "year"}
COUNTRIES = {"value": 22, "tolerance": 0, "unit": "countries"}
DETAINEES = {"value": 20, "tolerance": 0, "unit": "detainees per side"}


@pytest.mark.parametrize(("data", "typed"), [
    (SURPLUS, "2"), (SURPLUS, "2bn"), (SURPLUS, "$2bn"), (SURPLUS, "US$2 bn"),
    (SURPLUS, "2 billion"), (SURPLUS, "$2 billion"), (SURPLUS, "2 billion US dollars"),
    (SURPLUS, "2 billion dollars"), (SURPLUS, "2,000 million"), (SURPLUS, "2000000000"),
    (SURPLUS, "2 USD"), (SURPLUS, "two billion"),
    (VICTIMS, "5063"), (VICTIMS, "5,063"), (VICTIMS, "5.063"), (VICTIMS, "5 063"),
    (VICTIMS, "5'063"), (VICTIMS, "5’063 victims"),
    (SHARE, "94.9"), (SHARE, "94,9"), (SHARE, "94,9 %"), (SHARE, "94.9 per cent"),
    (WORLD, "27 million"), (WORLD, "27m"), (WORLD, "27,000,000"), (WORLD, "27.000.000"),
    (WORLD, "27 000 000 victims"),
    (METRES, "5 m"), (METRES, "5m"),
    (DAY, "29"), (DAY, "29th"), (DAY, "29 July"), (DAY, "July 29"), (DAY, "29."),
    (YEAR, "in 2000"), (YEAR, "year 2000"), (YEAR, "2000."),
    (SHARE, "about 94.9%"), (COUNTRIES, "twenty-two"), (COUNTRIES, "22 countries."),
    (DETAINEES, "20 detainees"), (DETAINEES, "20"), (SURPLUS, "2 bln"),
])
def test_a_right_number_written_as_people_write_it(data, typed):
    assert grade("numeric", data, typed).correct, typed


@pytest.mark.parametrize(("data", "typed", "feedback"), [
    (SURPLUS, "3", "too high"), (SURPLUS, "2 million", "too low"),
    (SURPLUS, "$20bn", "too high"), (SURPLUS, "2000", "too high"),
    (VICTIMS, "5,064", "too high"), (VICTIMS, "5.062", "too low"),
    (VICTIMS, "4463 victims", "too low"),
    (SHARE, "94", "too low"), (SHARE, "9,49", "too low"),
    (WORLD, "27", "too low"), (WORLD, "2.7 million", "too low"),
    (METRES, "5 million", "too high"),
    (DAY, "30th", "too high"), (DAY, "July 28", "too low"), (YEAR, "in 2001", "too high"),
    (COUNTRIES, "twenty-three", "too high"), (DETAINEES, "21 detainees", "too high"),
])
def test_a_wrong_number_stays_wrong_whatever_its_unit(data, typed, feedback):
    result = grade("numeric", data, typed)
    assert not result.correct and feedback in result.feedback


@pytest.mark.parametrize("typed", ["£2bn", "2 euros", "two and a bit", "5,06,3", "2 bn bn"])
def test_what_is_not_a_number_of_the_question_is_refused_with_a_message(typed):
    with pytest.raises(InvalidResponse, match="Enter a number"):
        grade("numeric", SURPLUS, typed)


@pytest.mark.parametrize(("text", "values", "scale"), [
    ("5,063", [5063, 5.063], 1), ("5.063", [5.063, 5063], 1), ("94,9", [94.9], 1),
    ("1.234,5", [1234.5], 1), ("1,234,567", [1234567], 1), ("5 063,5", [5063.5], 1),
    ("2bn", [2], 1e9), ("27 million", [27], 1e6), ("5.063e3", [5063], 1),
    ("1,2,3", [], 1), ("12,34,567", [], 1), ("", [], 1),
])
def test_readings_of_a_number_in_several_locales(text, values, scale):
    assert readings(text) == (values, scale)


def test_the_likeliest_reading_is_the_english_one():
    assert parse_number("5,063") == 5063 and parse_number("5.063") == 5.063
    assert parse_number("94,9") == 94.9 and parse_number("27 million") == 27e6


@pytest.mark.parametrize(("data", "shown"), [
    (WORLD, "27 million victims"), (VICTIMS, "5,063 victims"), (SURPLUS, "2 billion US dollars"),
    ({"value": 2005, "tolerance": 0, "unit": "year"}, "2005"),
    ({"value": 1234567, "tolerance": 0, "unit": None}, "1,234,567"),
    ({"value": 2.5e9, "tolerance": 0, "unit": None}, "2.5 billion"),
    (SHARE, "94.9 percent"), ({"value": -3, "tolerance": 0, "unit": None}, "-3"),
])
def test_the_right_answer_is_shown_as_a_person_writes_it(data, shown):
    assert shown_value(data) == shown


def test_written_numbers():
    assert [written(v) for v in (27e6, 5063, 94.9, 1e20, 0.5)] == [
        "27 million", "5,063", "94.9", "100,000,000,000,000,000,000", "0.5"]


SHORT = {"answers": ["CIS", "Commonwealth of Independent States"], "typos": True,
         "accents": False}
IOM = {"answers": ["International Organisation for Migration", "IOM"], "typos": True,
       "accents": False}
HAGUE = {"answers": ["The Hague"], "typos": False, "accents": False}
LABOUR = {"answers": ["forced labour"], "typos": False, "accents": False}
FLIGHT = {"answers": ["MH17"], "typos": True, "accents": False}
UNDP = {"answers": ["UNDP", "UN Development Programme"], "typos": False, "accents": False}
LEADER = {"answers": ["Lukashenka", "Alexander Lukashenka"], "typos": True, "accents": False}
RUSSIA = {"answers": ["Russia"], "typos": True, "accents": False}
MINISTRY = {"answers": ["Minister of Foreign Affairs"], "typos": True, "accents": False}


@pytest.mark.parametrize(("data", "typed"), [
    (SHORT, "the CIS"), (SHORT, "CIS"), (SHORT, "The Commonwealth of Independent States"),
    (IOM, "International Organization for Migration"), (IOM, "the IOM"),
    (IOM, "International Organisation for Migraton"),
    (HAGUE, "Hague"), (HAGUE, "the hague"), (LABOUR, "forced labor"), (LABOUR, "Forced Labour"),
    (UNDP, "UN Development Program"), (UNDP, "UN development program"),
    # a title before a name
    (LEADER, "President Lukashenka"), (LEADER, "president Alexander Lukashenka"),
    (LEADER, "Mr Lukashenka"), (LEADER, "Mr. Lukashenko"), (LEADER, "Lukashenko"),
    (RUSSIA, "Rusia"), (RUSSIA, "Rusisa"),
    (MINISTRY, "Minister of Foreign Afairs"),
])
def test_a_right_short_answer_with_an_article_or_another_spelling(data, typed):
    assert grade("short_answer", data, typed).correct, typed


@pytest.mark.parametrize(("data", "typed"), [
    (SHORT, "the EU"), (SHORT, "a CSTO"), (SHORT, "the"),
    (IOM, "International Labour Organisation"), (IOM, "ILO"),
    (FLIGHT, "MH18"), (FLIGHT, "MH1"),  # a wrong number is no typo
    (LABOUR, "forced labourer"),
    # a typo keeps the first letter: another name one letter away is not a typo
    (RUSSIA, "Prussia"), (RUSSIA, "Bussia"), (LEADER, "Pukashenka"),
    # a title is dropped only before a name, and a title alone is no name
    (LEADER, "President"), (MINISTRY, "Foreign Affairs"), (MINISTRY, "of Foreign Affairs"),
    (UNDP, "UN Environment Programme"), (UNDP, "UN Development Diagram"),
])
def test_a_wrong_short_answer_stays_wrong(data, typed):
    assert not grade("short_answer", data, typed).correct, typed


ROUND_TABLE = {"gaps": [["IOM", "International Organisation for Migration"], ["UNDP"]],
               "any_order": [[1, 2]], "typos": True}
RIGHTS = {"gaps": [["economic"], ["cultural"], ["civil"]], "any_order": [[1, 2]],
          "typos": True}
FIXED = {"gaps": [["5,063", "5063"], ["4,463", "4463"]], "typos": True}


@pytest.mark.parametrize(("data", "typed", "score"), [
    (ROUND_TABLE, ["IOM", "UNDP"], 1), (ROUND_TABLE, ["UNDP", "IOM"], 1),
    (ROUND_TABLE, ["UNDP", "International Organization for Migration"], 1),
    (ROUND_TABLE, ["the UNDP", "the IOM"], 1), (ROUND_TABLE, ["UNPD", "IOM"], 0.5),
    (ROUND_TABLE, ["UNDP", "UNDP"], 0.5), (ROUND_TABLE, ["OSCE", "UNHCR"], 0),
    (ROUND_TABLE, ["UNEP", "IOM"], 0.5),  # a four-letter name one letter off is another body
    ({"gaps": [["March 2010"]], "typos": True}, ["Mach 2010"], 1),  # the number is intact
    ({"gaps": [["March 2010"]], "typos": True}, ["March 2011"], 0),
    ({"gaps": [["New York"]], "typos": True}, ["New Yrok"], 1),  # two neighbours swapped
    (RIGHTS, ["cultural", "economic", "civil"], 1), (RIGHTS, ["economic", "cultural", "civil"], 1),
    (RIGHTS, ["ekonomic", "cultural", "civil"], 1),  # one typo forgiven
    (RIGHTS, ["civil", "cultural", "economic"], 1 / 3),  # gap 3 is not in the group
    (FIXED, ["4,463", "5,063"], 0),  # without a group, order counts
    (FIXED, ["5,064", "4463"], 0.5),  # a wrong number is no typo
])
def test_cloze_gaps_in_any_order_and_with_typos(data, typed, score):
    assert grade("cloze", data, typed).score == pytest.approx(score)


def test_an_any_order_group_must_name_gaps_of_the_prompt():
    from pydantic import ValidationError

    from quizapp.qtypes.registry import SCHEMAS
    base = {"key": "k", "type": "cloze", "prompt": "A {{1}} and {{2}}.", "explanation": "E.",
            "gaps": [["a"], ["b"]], "source": ["trafficking#26"], "tags": ["un"]}
    assert SCHEMAS["cloze"].model_validate({**base, "any_order": [[1, 2]]}).any_order == [[1, 2]]
    for groups, message in [([[1, 3]], "name gap 3"), ([[1, 2], [2, 1]], "more than one"),
                            ([[1]], "at least 2")]:
        with pytest.raises(ValidationError, match=message):
            SCHEMAS["cloze"].model_validate({**base, "any_order": groups})
