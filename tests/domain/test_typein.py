"""Type-in comparison: typed against the answer, each character right, wrong or missing."""

import pytest

from quizapp.domain.typein import compare

SHORT = {"type": "short_answer", "answers": ["Zaslaūje", "Zaslavl"]}


def lines(snapshot, typed):
    c = compare(snapshot, typed)
    show = lambda pieces: "".join(p.text if p.ok else f"[{p.text}]" for p in pieces)  # noqa: E731
    return show(c.typed), show(c.expected)


@pytest.mark.parametrize(("snapshot", "typed", "expected"), [
    (SHORT, "Zaslaūje", ("Zaslaūje", "Zaslaūje")),
    (SHORT, "Zaslauje", ("Zasla[u]je", "Zasla[ū]je")),
    (SHORT, "Zaslav", ("Zaslav", "Zaslav[l]")),          # the closest answer: Zaslavl
    (SHORT, "  Zaslavll ", ("Zaslavl[l]", "Zaslavl")),
    (SHORT, "", ("", "[Zaslaūje]")),
    ({"type": "numeric", "value": 5063.0}, "5036", ("503[6]", "50[6]3")),
])
def test_compare_marks_each_character(snapshot, typed, expected):
    assert lines(snapshot, typed) == expected


def test_an_exact_answer_is_exact_and_other_types_have_no_comparison():
    assert compare(SHORT, "Zaslavl").exact
    assert not compare(SHORT, "zaslavl").exact  # the grader may accept case; the diff shows it
    assert compare({"type": "true_false", "answer": True}, "True") is None
