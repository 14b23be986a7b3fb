"""Checking a question's answer against the paragraphs it cites.

Word-level and forgiving: every number and date in an answer must appear in the cited
text, and (nearly) every content word of it must match a word there, allowing for
inflection and small spelling differences. It also flags prompts or explanations
that copy a long run of the article's words.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from quizapp.domain.numbers import numbers_in, parse_number
from quizapp.domain.questions import parse_citation
from quizapp.domain.text import fold, words
from quizapp.qtypes import registry

COPY_RUN = 8  # this many consecutive words shared with the article is copying
FUZZY = 85
RARE = 2  # a name or number found in at most this many paragraphs is a fact of those
# A capital named for its government ("Moscow's reply"): found where the country is.
METONYMS = {"moscow": ("russia", "russian"), "kyiv": ("ukraine", "ukrainian"),
            "kiev": ("ukraine", "ukrainian"), "minsk": ("belarus", "belarusian"),
            "washington": ("us", "american"), "brussels": ("eu", "european")}

MONTHS = {
    m: i
    for i, m in enumerate(
        "january february march april may june july august september october november "
        "december".split(),
        start=1,
    )
}
STOPWORDS = frozenset(
    """a an the of in on at to for from by with and or but as is are was were be been
    its it this that these those their his her he she they them who whom which what
    when where why how not no than then there also only about into over under after
    before between during per each any all both some more most very against
    """.split()
)


@dataclass(frozen=True)
class Problem:
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DMY = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_MONTH_NAMES = list(MONTHS)


def _spell_dates(text: str) -> str:
    """2010-07-30 and 30/07/2010 read as "30 July 2010"."""

    def spell(day: str, month: str, year: str) -> str:
        m = int(month)
        return f"{int(day)} {_MONTH_NAMES[m - 1]} {year}" if 1 <= m <= 12 else f"{day}.{month}"

    text = _ISO.sub(lambda m: spell(m.group(3), m.group(2), m.group(1)), text)
    return _DMY.sub(lambda m: spell(m.group(1), m.group(2), m.group(3)), text)


_MONTH = "(?:" + "|".join(MONTHS) + ")"
_DATE = re.compile(
    rf"(?:(?<!\d)(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\b(?:,?\s+(?P<y1>\d{{4}})(?!\d))?)"
    rf"|(?:\b(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?!\d)(?:,?\s+(?P<y2>\d{{4}})(?!\d))?)"
    rf"|(?:\b(?P<m3>{_MONTH})\s+(?P<y3>\d{{4}})(?!\d))",
    re.IGNORECASE,
)


def dates_in(text: str) -> set[tuple[int | None, int, int | None]]:
    """(day, month, year) of every date written with a month name; missing parts None."""
    found = set()
    for match in _DATE.finditer(_spell_dates(text)):
        groups = match.groupdict()
        month_word = (groups["m1"] or groups["m2"] or groups["m3"] or "").lower()
        if month_word not in MONTHS:
            continue
        day = groups["d1"] or groups["d2"]
        year = groups["y1"] or groups["y2"] or groups["y3"]
        found.add((int(day) if day else None, MONTHS[month_word], int(year) if year else None))
    return found


def _compatible(a: tuple, b: tuple) -> bool:
    return all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))


def _word_found(word: str, text_words: set[str]) -> bool:
    if word in text_words:
        return True
    stem = word[:5]
    for candidate in text_words:
        if len(word) >= 5 and candidate.startswith(stem):
            return True
        if abs(len(candidate) - len(word)) <= 3 and fuzz.ratio(word, candidate) >= FUZZY:
            return True
    return False


def unsupported(answer: str, text: str, *, min_share: float = 0.75) -> list[str]:
    """What in `answer` cannot be found in `text` (empty when it is supported)."""
    missing: list[str] = []
    spelled = _spell_dates(answer)
    text_numbers = numbers_in(text)
    for number in numbers_in(spelled, scaled=False):
        if not any(abs(number - n) < 1e-9 for n in text_numbers):
            missing.append(f"the number {number:g}")
    text_dates = dates_in(text)
    for date in dates_in(spelled):
        if not any(_compatible(date, other) for other in text_dates):
            day, month, year = date
            shown = " ".join(str(p) for p in (day, _MONTH_NAMES[month - 1].title(), year) if p)
            missing.append(f"the date {shown}")
    text_words = set(words(text))
    content = [
        w for w in words(spelled)
        if w not in STOPWORDS and not w.isdigit() and w not in MONTHS and len(w) > 1
    ]
    absent = [w for w in content if not _word_found(w, text_words)]
    if content and (
        (len(content) <= 2 and absent) or (len(content) - len(absent)) / len(content) < min_share
    ):
        missing.append("the words " + ", ".join(repr(w) for w in absent))
    return missing


def answer_claims(snapshot: Mapping[str, Any]) -> list[tuple[str, list[str], float]]:
    """What the question asserts, per its type: (label, alternatives, minimum word share).

    A claim is supported when any one of its alternatives is.
    """
    return registry.get(snapshot["type"]).claims(snapshot)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(folded word, is an ordinary word) pairs: capitalised words and numbers are names."""
    out = []
    for token in _TOKEN.findall(re.sub(r"[\u2010-\u2015]", "-", text)):
        folded = fold(token).replace(" ", "")
        if folded:
            out.append((folded, token[0].islower() and folded not in STOPWORDS))
    return out


_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class ArticleRuns:
    """An article's runs of COPY_RUN words, and those runs with one inner word changed
    (None in its place) or left out: what a copy with one word edited matches."""

    exact: frozenset[tuple[str, ...]]
    changed: frozenset[tuple[str | None, ...]]
    dropped: frozenset[tuple[str, ...]]


def article_runs(article_text: str, run: int = COPY_RUN) -> ArticleRuns:
    folded = [w for w, _ in _tokens(article_text)]
    exact = {tuple(folded[i : i + run]) for i in range(len(folded) - run + 1)}
    inner = range(1, run - 1)  # an edit at either end leaves a shorter exact copy
    return ArticleRuns(
        frozenset(exact),
        frozenset(r[:j] + (None,) + r[j + 1 :] for r in exact for j in inner),
        frozenset(r[:j] + r[j + 1 :] for r in exact for j in inner))


def copied_run(text: str, runs: ArticleRuns, run: int = COPY_RUN) -> str | None:
    """The first run of `run` consecutive words of `text` also in the article, as it is or
    with one word changed, inserted or left out ("a run, one word changed: ...").

    Runs made mostly of names ("Convention of the Council of Europe on Action against
    Trafficking in Human Beings") are not copying: at least three ordinary words must match.
    """
    mine = _tokens(text)
    words = [w for w, _ in mine]

    def plain(start: int, end: int) -> bool:
        return sum(p for _, p in mine[start:end]) >= 3

    inner = range(1, run - 1)
    for i in range(len(mine)):
        window = tuple(words[i : i + run])
        if len(window) == run and plain(i, i + run):
            if window in runs.exact:
                return " ".join(window)
            if any(window[:j] + (None,) + window[j + 1 :] in runs.changed for j in inner):
                return "one word changed: " + " ".join(window)
        longer = tuple(words[i : i + run + 1])
        if len(longer) == run + 1 and plain(i, i + run + 1) and any(
                longer[:j] + longer[j + 1 :] in runs.exact for j in range(1, run)):
            return "one word inserted: " + " ".join(longer)
        shorter = tuple(words[i : i + run - 1])
        if len(shorter) == run - 1 and plain(i, i + run - 1) and shorter in runs.dropped:
            return "one word left out: " + " ".join(shorter)
    return None


@dataclass(frozen=True)
class ParagraphFacts:
    """What the citation check looks up in one paragraph: its words and its numbers."""

    number: int
    words: frozenset[str]
    numbers: tuple[float, ...]


def paragraph_facts(paragraphs: Mapping[int, str]) -> list[ParagraphFacts]:
    return [ParagraphFacts(n, frozenset(words(text)), tuple(numbers_in(text)))
            for n, text in sorted(paragraphs.items())]


_NAME = re.compile(r"(?<![\w'’-])(?:[A-Z][^\W_]*(?:[-'’][^\W_]+)*|\d[\d,.]*\d|\d)")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|[\"“(«]\s*)$")


def _facts_named(text: str) -> list[str]:
    """The names (capitalised words not opening a sentence) and numbers of `text`."""
    named = []
    for match in _NAME.finditer(text):
        token = match.group(0).rstrip(".,")
        if token[0].isupper() and _SENTENCE_START.search(text[: match.start()]):
            continue
        named.append(token)
    return named


def uncited_facts(
    explanation: str, cited: Iterable[int], facts: list[ParagraphFacts]
) -> dict[tuple[int, ...], list[str]]:
    """Names and numbers of an explanation found in none of the cited paragraphs but in at
    most RARE others of the article: {those paragraphs: what was named}. A name the article
    uses everywhere (a country, the president) is no paragraph's fact and is not listed."""
    cited = set(cited)
    mine = [f for f in facts if f.number in cited]
    found: dict[tuple[int, ...], list[str]] = {}
    for token in dict.fromkeys(_facts_named(explanation)):
        value = parse_number(token) if token[0].isdigit() else None
        if value is not None:
            def holds(f: ParagraphFacts, value=value) -> bool:
                return any(abs(value - n) < 1e-9 for n in f.numbers)
        else:
            parts = [w for w in words(token) if w not in STOPWORDS]
            if not parts:
                continue

            def holds(f: ParagraphFacts, parts=parts) -> bool:
                return all(_word_found(w, f.words)
                           or any(c in f.words for c in METONYMS.get(w.removesuffix("s"), ()))
                           for w in parts)
        if any(holds(f) for f in mine):
            continue
        elsewhere = tuple(f.number for f in facts if f.number not in cited and holds(f))
        if 0 < len(elsewhere) <= RARE:
            found.setdefault(elsewhere, []).append(token)
    return found


def check_question(
    snapshot: Mapping[str, Any],
    paragraphs: Mapping[tuple[str, int], str],
    article_runs_by_slug: Mapping[str, ArticleRuns],
    facts_by_slug: Mapping[str, list[ParagraphFacts]] | None = None,
) -> list[Problem]:
    """Problems with one question (a snapshot as stored in a revision)."""
    key = snapshot["key"]
    problems: list[Problem] = []
    cited: list[str] = []
    for citation in snapshot["source"]:
        slug, number = parse_citation(citation)
        if slug not in article_runs_by_slug:
            problems.append(Problem(key, f"cites {citation}, but article {slug!r} is not there"))
        elif (slug, number) not in paragraphs:
            problems.append(Problem(key, f"cites {citation}, which does not exist"))
        else:
            cited.append(paragraphs[(slug, number)])
    answered = registry.get(snapshot["type"]).answered_prompt(snapshot)
    for field, said in (("prompt", answered), ("explanation", snapshot.get("explanation", ""))):
        for slug, runs in article_runs_by_slug.items():
            copied = copied_run(said, runs)
            if copied:
                problems.append(Problem(key, f"{field} copies {slug}'s words: {copied!r}"))
    if problems or snapshot.get("source_check_ignore"):
        return problems
    problems += _uncited(snapshot, facts_by_slug or {})
    text = "\n".join(cited)
    where = ", ".join(snapshot["source"])
    for label, alternatives, share in answer_claims(snapshot):
        gaps = [unsupported(alt, text, min_share=share) for alt in alternatives]
        if all(gaps):
            message = f"{label} {alternatives[0]!r} not found in {where}: {'; '.join(gaps[0])}"
            problems.append(Problem(key, message))
    for value, tolerance in registry.get(snapshot["type"]).claimed_values(snapshot):
        if not any(abs(n - value) <= tolerance + 1e-9 for n in numbers_in(text)):
            problems.append(Problem(key, f"the value {value:g} is not in {where}"))
    return problems


def _uncited(
    snapshot: Mapping[str, Any], facts_by_slug: Mapping[str, list[ParagraphFacts]]
) -> list[Problem]:
    """An explanation that relies on a paragraph it does not cite (see uncited_facts)."""
    by_slug: dict[str, list[int]] = {}
    for citation in snapshot["source"]:
        slug, number = parse_citation(citation)
        by_slug.setdefault(slug, []).append(number)
    problems = []
    for slug, numbers in by_slug.items():
        if slug not in facts_by_slug:
            continue
        missing = uncited_facts(snapshot.get("explanation") or "", numbers, facts_by_slug[slug])
        for where, named in missing.items():
            places = " or ".join(f"{slug}#{n}" for n in where)
            problems.append(Problem(snapshot["key"], "explanation names "
                                    f"{', '.join(map(repr, named))}, from {places}, not cited"))
    return problems


def check_bank(
    snapshots: Iterable[Mapping[str, Any]], articles: Mapping[str, Mapping[int, str]]
) -> list[Problem]:
    """Check every question; `articles` maps slug -> {paragraph number: text}."""
    paragraphs = {(slug, n): text for slug, ps in articles.items() for n, text in ps.items()}
    runs = {slug: article_runs("\n".join(ps.values())) for slug, ps in articles.items()}
    facts = {slug: paragraph_facts(ps) for slug, ps in articles.items()}
    problems: list[Problem] = []
    for snapshot in snapshots:
        problems.extend(check_question(snapshot, paragraphs, runs, facts))
    return problems
