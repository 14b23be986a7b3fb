"""What a bank teaches as a whole, which no single question shows (pure).

The source check (domain.source_check) reads one question at a time. An editor also
needs the bank's habits, the ones a learner picks up without reading a word:

- **telling order**: the right option written first. Quizzes shuffle options, but a
  printed bank, an export and a Moodle quiz with shuffling off show the file's order;
- **the longest option is right**: the key written out carefully, the distractors in
  a hurry. A learner who always picks the longest option should not do well;
- **one paragraph over-asked**: many questions on the same few lines, while other
  paragraphs go unasked;
- **paragraphs never cited**: what the article says that the bank does not teach.

`review_bank` lists each habit past its limit as a Problem of the bank (key "(bank)").
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from quizapp.domain.questions import parse_citation
from quizapp.domain.source_check import Problem
from quizapp.qtypes import registry

MAX_KEY_FIRST = 1 / 3  # with four options in random order, a quarter: a third is a habit
MAX_KEY_LONGEST = 1 / 3
MAX_PER_PARAGRAPH = 7  # questions whose first citation is one paragraph
BANK = "(bank)"


@dataclass(frozen=True)
class ChoiceHabits:
    """Of the questions with one right option (single choice): how many list it first or
    make it the strictly longest option; of those with several (multiple choice, some
    options wrong), how many list every right option before every wrong one. The types
    say which they are (QuestionType.written_options)."""

    single: int
    key_first: int
    key_longest: int
    multiple: int
    right_options_first: int


def choice_habits(snapshots: Iterable[Mapping[str, Any]]) -> ChoiceHabits:
    single = key_first = key_longest = multiple = right_first = 0
    for snapshot in snapshots:
        right_ones, options = registry.get(snapshot["type"]).written_options(snapshot)
        if right_ones == "one" and len(options) > 1:
            single += 1
            key = next(i for i, (_, right) in enumerate(options) if right)
            key_first += key == 0
            key_length = len(options[key][0])
            key_longest += all(len(text) < key_length
                               for i, (text, _) in enumerate(options) if i != key)
        elif right_ones == "several" and any(not r for _, r in options):
            multiple += 1
            flags = [right for _, right in options]
            right_first += flags == sorted(flags, reverse=True)
    return ChoiceHabits(single, key_first, key_longest, multiple, right_first)


def paragraph_load(snapshots: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """How many questions cite each paragraph first (their main source)."""
    return Counter(s["source"][0] for s in snapshots if s.get("source"))


def uncited_paragraphs(
    snapshots: Iterable[Mapping[str, Any]], slug: str, numbers: Iterable[int]
) -> list[int]:
    cited = {parse_citation(c) for s in snapshots for c in s.get("source", [])}
    return [n for n in sorted(numbers) if (slug, n) not in cited]


def review_bank(
    snapshots: Iterable[Mapping[str, Any]], articles: Mapping[str, Mapping[int, str]],
    own: Iterable[str] = (),
) -> list[Problem]:
    """The bank's habits past their limits; `own` are the slugs of the articles the bank
    is written from (every numbered paragraph of them should be cited)."""
    snapshots = list(snapshots)
    problems = []
    habits = choice_habits(snapshots)
    if habits.single and habits.key_first > MAX_KEY_FIRST * habits.single:
        problems.append(Problem(BANK, f"the right option comes first in {habits.key_first} "
                                      f"of {habits.single} single-choice questions"))
    if habits.single and habits.key_longest > MAX_KEY_LONGEST * habits.single:
        problems.append(Problem(BANK, f"the right option is the longest in "
                                      f"{habits.key_longest} of {habits.single} "
                                      "single-choice questions"))
    if habits.multiple and habits.right_options_first > MAX_KEY_FIRST * habits.multiple:
        problems.append(Problem(BANK, "every right option comes before every wrong one in "
                                      f"{habits.right_options_first} of {habits.multiple} "
                                      "multiple-choice questions"))
    for citation, count in sorted(paragraph_load(snapshots).items()):
        if count > MAX_PER_PARAGRAPH:
            problems.append(Problem(BANK, f"{count} questions are mainly about {citation} "
                                          f"(at most {MAX_PER_PARAGRAPH})"))
    for article in own:
        missing = uncited_paragraphs(snapshots, article, articles.get(article, {}))
        if missing:
            listed = ", ".join(f"{article}#{n}" for n in missing)
            problems.append(Problem(BANK, f"no question cites {listed}"))
    return problems
